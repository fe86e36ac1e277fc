#pragma once
// Caches (save_cache / restore_cache; docs/files.md): named operations on the `caches`,
// `cache_parts` and `cache_uploads` tables. A cache belongs to one repository, is named by
// its key, and is never replaced once stored; each of its parts is a tar in the blob store,
// unpacked at the path it was saved from.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/store/database.h"
#include "shared/result.h"

namespace fmg::coordinator::caches {

struct CachePartRow {
    std::string path;  // where it is unpacked, as the step named the place
    std::string sha256;
    int64_t size = 0;
};

struct CacheRow {
    int64_t id = 0;
    std::string repo;
    std::string key;
    int64_t attempt_id = 0;  // the attempt that saved it
    int64_t size = 0;        // its parts' bytes together
    int64_t created_at = 0;
    int64_t last_used_at = 0;
    std::vector<CachePartRow> parts;  // in restore order
};

/// One path a save_cache step uploaded, before the step names it in a cache.
struct NewCacheUpload {
    int64_t attempt_id = 0;
    uint64_t upload_id = 0;
    std::string sha256;
    int64_t size = 0;
    std::string path;
};

/// Records an uploaded part and its blob, in one transaction.
void record_upload(Database& db, const NewCacheUpload& upload, int64_t now);

/// Whether the attempt's upload `upload_id` is recorded as a cache part no save named yet (a
/// save takes its parts: the agent sends cache_save only after every upload_done came).
bool upload_recorded(Database& db, int64_t attempt_id, uint64_t upload_id);

/// The cache of `repo` named exactly `key`, if any.
std::optional<CacheRow> find_exact(Database& db, const std::string& repo, const std::string& key);

/// CircleCI's lookup for restore_cache: for each key in order, the newest cache of `repo`
/// whose name starts with it; the first key that finds one wins. Marks it used at `now` (the
/// eviction of least recently used caches reads that).
std::optional<CacheRow> find_for_restore(Database& db, const std::string& repo,
                                         const std::vector<std::string>& keys, int64_t now);

enum class SaveOutcome {
    saved,    // the cache is stored under its key
    existed,  // a cache of that key was there first: it is kept as it is
};

/// Stores the cache `key` of `repo` made of the attempt's recorded uploads `upload_ids`, in
/// that order (they become its parts), unless the key exists. Fails, storing nothing, when an
/// upload is not one of the attempt's recorded parts or the parts exceed `max_bytes` together.
Result<SaveOutcome> save(Database& db, const std::string& repo, const std::string& key,
                         int64_t attempt_id, const std::vector<uint64_t>& upload_ids,
                         int64_t max_bytes, int64_t now);

/// Whether a cache of `repo` holds the blob `sha256` (an attempt of the repository may read
/// its caches).
bool repo_holds_blob(Database& db, const std::string& repo, const std::string& sha256);

/// The caches of `repo` (every repository's when empty), newest first, at most `limit`,
/// without their parts.
std::vector<CacheRow> list(Database& db, const std::string& repo, int64_t limit = 1000);

}  // namespace fmg::coordinator::caches
