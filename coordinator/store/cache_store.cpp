#include "coordinator/store/cache_store.h"

#include "coordinator/store/blob_rows.h"

namespace fmg::coordinator::caches {
namespace {

constexpr const char* kCacheColumns =
    "id, repo, key, attempt_id, size, created_at, last_used_at FROM caches ";

CacheRow read_cache(const Statement& query) {
    return {query.integer(0), query.text(1),    query.text(2),    query.integer(3),
            query.integer(4), query.integer(5), query.integer(6), {}};
}

std::vector<CachePartRow> parts_of(Database& db, int64_t cache_id) {
    auto query = db.prepare(
        "SELECT path, sha256, size FROM cache_parts WHERE cache_id = ? ORDER BY position");
    query.bind(1, cache_id);
    std::vector<CachePartRow> parts;
    while (query.step()) parts.push_back({query.text(0), query.text(1), query.integer(2)});
    return parts;
}

}  // namespace

void record_upload(Database& db, const NewCacheUpload& upload, int64_t now) {
    db.transaction([&] {
        blobs::record(db, upload.sha256, upload.size, now);
        db.prepare(
              "INSERT OR IGNORE INTO cache_uploads (attempt_id, upload_id, sha256, size, path, "
              "created_at) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(1, upload.attempt_id)
            .bind(2, static_cast<int64_t>(upload.upload_id))
            .bind(3, upload.sha256)
            .bind(4, upload.size)
            .bind(5, upload.path)
            .bind(6, now)
            .run();
    });
}

bool upload_recorded(Database& db, int64_t attempt_id, uint64_t upload_id) {
    auto query = db.prepare("SELECT 1 FROM cache_uploads WHERE attempt_id = ? AND upload_id = ?");
    query.bind(1, attempt_id).bind(2, static_cast<int64_t>(upload_id));
    return query.step();
}

std::optional<CacheRow> find_exact(Database& db, const std::string& repo, const std::string& key) {
    auto query = db.prepare(std::string("SELECT ") + kCacheColumns + "WHERE repo = ? AND key = ?");
    query.bind(1, repo).bind(2, key);
    if (!query.step()) return std::nullopt;
    CacheRow row = read_cache(query);
    row.parts = parts_of(db, row.id);
    return row;
}

std::optional<CacheRow> find_for_restore(Database& db, const std::string& repo,
                                         const std::vector<std::string>& keys, int64_t now) {
    for (const std::string& key : keys) {
        // A prefix compared as bytes: substr() and length() on BLOBs count bytes, so a key
        // holding '%', '_' or multi-byte characters matches exactly what it spells.
        auto query = db.prepare(std::string("SELECT ") + kCacheColumns +
                                "WHERE repo = ? AND substr(CAST(key AS BLOB), 1, length(CAST(? AS "
                                "BLOB))) = CAST(? AS BLOB) ORDER BY created_at DESC, id DESC "
                                "LIMIT 1");
        query.bind(1, repo).bind(2, key).bind(3, key);
        if (!query.step()) continue;
        CacheRow row = read_cache(query);
        row.parts = parts_of(db, row.id);
        db.prepare("UPDATE caches SET last_used_at = ? WHERE id = ?")
            .bind(1, now)
            .bind(2, row.id)
            .run();
        row.last_used_at = now;
        return row;
    }
    return std::nullopt;
}

Result<SaveOutcome> save(Database& db, const std::string& repo, const std::string& key,
                         int64_t attempt_id, const std::vector<uint64_t>& upload_ids,
                         int64_t max_bytes, int64_t now) {
    return db.transaction([&]() -> Result<SaveOutcome> {
        if (auto existing = find_exact(db, repo, key)) {
            // A repeated cache_save (its answer was lost) finds what it stored itself.
            return existing->attempt_id == attempt_id ? SaveOutcome::saved : SaveOutcome::existed;
        }
        std::vector<CachePartRow> parts;
        int64_t total = 0;
        for (uint64_t upload_id : upload_ids) {
            auto query = db.prepare(
                "SELECT path, sha256, size FROM cache_uploads WHERE attempt_id = ? AND "
                "upload_id = ?");
            query.bind(1, attempt_id).bind(2, static_cast<int64_t>(upload_id));
            if (!query.step()) {
                return Error{"upload " + std::to_string(upload_id) +
                             " is not a stored part of this attempt's caches"};
            }
            parts.push_back({query.text(0), query.text(1), query.integer(2)});
            total += parts.back().size;
        }
        if (total > max_bytes) {
            return Error{"the cache holds " + std::to_string(total) + " bytes, more than " +
                         std::to_string(max_bytes) + " (--max-cache-size)"};
        }
        db.prepare(
              "INSERT INTO caches (repo, key, attempt_id, size, created_at, last_used_at) VALUES "
              "(?, ?, ?, ?, ?, ?)")
            .bind(1, repo)
            .bind(2, key)
            .bind(3, attempt_id)
            .bind(4, total)
            .bind(5, now)
            .bind(6, now)
            .run();
        const int64_t cache_id = db.last_insert_id();
        for (size_t i = 0; i < parts.size(); ++i) {
            db.prepare(
                  "INSERT INTO cache_parts (cache_id, position, path, sha256, size) VALUES (?, ?, "
                  "?, ?, ?)")
                .bind(1, cache_id)
                .bind(2, static_cast<int64_t>(i))
                .bind(3, parts[i].path)
                .bind(4, parts[i].sha256)
                .bind(5, parts[i].size)
                .run();
        }
        // The parts are the cache's now: their blobs live as long as it does.
        for (uint64_t upload_id : upload_ids) {
            db.prepare("DELETE FROM cache_uploads WHERE attempt_id = ? AND upload_id = ?")
                .bind(1, attempt_id)
                .bind(2, static_cast<int64_t>(upload_id))
                .run();
        }
        return SaveOutcome::saved;
    });
}

bool repo_holds_blob(Database& db, const std::string& repo, const std::string& sha256) {
    auto query = db.prepare(
        "SELECT 1 FROM cache_parts p JOIN caches c ON c.id = p.cache_id WHERE p.sha256 = ? AND "
        "c.repo = ? LIMIT 1");
    query.bind(1, sha256).bind(2, repo);
    return query.step();
}

std::vector<CacheRow> list(Database& db, const std::string& repo, int64_t limit) {
    auto query = db.prepare(std::string("SELECT ") + kCacheColumns +
                            "WHERE ? = '' OR repo = ? ORDER BY created_at DESC, id DESC LIMIT ?");
    query.bind(1, repo).bind(2, repo).bind(3, limit);
    std::vector<CacheRow> rows;
    while (query.step()) rows.push_back(read_cache(query));
    return rows;
}

}  // namespace fmg::coordinator::caches
