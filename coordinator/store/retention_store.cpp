#include "coordinator/store/retention_store.h"

namespace fmg::coordinator::retention {
namespace {

constexpr int64_t kDayMs = 24LL * 60 * 60 * 1000;

/// A stored file's record to remove: the key of its row and what the eviction says of it.
struct Expired {
    int64_t attempt_id = 0;
    std::string key;  // artifacts: the path; layers and reports: the upload id
    std::string repo;
    int64_t pipeline_id = 0;
    std::string job;
    std::string name;
    int64_t size = 0;
};

void record_eviction(Database& db, const std::string& kind, const std::string& repo,
                     std::optional<int64_t> pipeline_id, const std::optional<std::string>& job,
                     const std::string& name, int64_t size, const std::string& reason,
                     int64_t now) {
    db.prepare(
          "INSERT INTO evictions (kind, repo, pipeline_id, job, name, size, reason, evicted_at) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, kind)
        .bind(2, repo)
        .bind(3, pipeline_id)
        .bind(4, job)
        .bind(5, name)
        .bind(6, size)
        .bind(7, reason)
        .bind(8, now)
        .run();
}

/// The rows of `table` stored before `before`, with their job and repository. `name_column`
/// is what the eviction calls the file, `key_column` what identifies the row in the attempt.
std::vector<Expired> expired_files(Database& db, const std::string& table,
                                   const std::string& key_column, const std::string& name_column,
                                   int64_t before) {
    auto query =
        db.prepare("SELECT f.attempt_id, CAST(f." + key_column +
                   " AS TEXT), p.repo, p.id, j.name, f." + name_column + ", f.size FROM " + table +
                   " f JOIN attempts t ON t.id = f.attempt_id JOIN jobs j ON j.id = "
                   "t.job_id JOIN pipelines p ON p.id = j.pipeline_id WHERE f.created_at "
                   "< ?");
    query.bind(1, before);
    std::vector<Expired> rows;
    while (query.step()) {
        rows.push_back({query.integer(0), query.text(1), query.text(2), query.integer(3),
                        query.text(4), query.text(5), query.integer(6)});
    }
    return rows;
}

int expire_files(Database& db, const std::string& table, const std::string& kind,
                 const std::string& key_column, const std::string& name_column, int64_t days,
                 const std::string& flag, int64_t now) {
    if (days <= 0) return 0;
    const std::string reason =
        "stored more than " + std::to_string(days) + " days ago (" + flag + ")";
    int removed = 0;
    for (const Expired& row :
         expired_files(db, table, key_column, name_column, now - days * kDayMs)) {
        record_eviction(db, kind, row.repo, row.pipeline_id, row.job, row.name, row.size, reason,
                        now);
        db.prepare("DELETE FROM " + table + " WHERE attempt_id = ? AND CAST(" + key_column +
                   " AS TEXT) = ?")
            .bind(1, row.attempt_id)
            .bind(2, row.key)
            .run();
        ++removed;
    }
    return removed;
}

void evict_cache(Database& db, int64_t id, const std::string& reason, int64_t now) {
    auto query = db.prepare("SELECT repo, key, size FROM caches WHERE id = ?");
    query.bind(1, id);
    if (!query.step()) return;
    record_eviction(db, "cache", query.text(0), std::nullopt, std::nullopt, query.text(1),
                    query.integer(2), reason, now);
    db.prepare("DELETE FROM cache_parts WHERE cache_id = ?").bind(1, id).run();
    db.prepare("DELETE FROM caches WHERE id = ?").bind(1, id).run();
}

}  // namespace

int expire(Database& db, const Policy& policy, int64_t now) {
    return db.transaction([&] {
        int removed = expire_files(db, "artifacts", "artifact", "path", "path",
                                   policy.artifact_days, "--artifact-retention-days", now);
        removed += expire_files(db, "test_result_files", "test_results", "upload_id", "path",
                                policy.artifact_days, "--artifact-retention-days", now);
        removed += expire_files(db, "workspace_layers", "workspace_layer", "upload_id", "root",
                                policy.workspace_days, "--workspace-retention-days", now);
        if (policy.cache_days > 0) {
            auto query = db.prepare("SELECT id FROM caches WHERE last_used_at < ?");
            query.bind(1, now - policy.cache_days * kDayMs);
            std::vector<int64_t> unused;
            while (query.step()) unused.push_back(query.integer(0));
            for (int64_t id : unused) {
                evict_cache(db, id,
                            "not used for " + std::to_string(policy.cache_days) +
                                " days (--cache-retention-days)",
                            now);
            }
            removed += static_cast<int>(unused.size());
        }
        return removed;
    });
}

int64_t stored_bytes(Database& db) {
    auto query = db.prepare("SELECT COALESCE(SUM(size), 0) FROM blobs");
    query.step();
    return query.integer(0);
}

std::vector<std::string> release_unreferenced(Database& db) {
    return db.transaction([&] {
        // Parts an attempt uploaded but never named in a cache: gone with the attempt.
        db.prepare(
              "DELETE FROM cache_uploads WHERE attempt_id IN (SELECT id FROM attempts WHERE "
              "status NOT IN ('assigned', 'running'))")
            .run();
        auto query = db.prepare(
            "SELECT sha256 FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM artifacts WHERE sha256 "
            "= b.sha256) AND NOT EXISTS (SELECT 1 FROM workspace_layers WHERE sha256 = "
            "b.sha256) AND NOT EXISTS (SELECT 1 FROM test_result_files WHERE sha256 = b.sha256) "
            "AND NOT EXISTS (SELECT 1 FROM cache_parts WHERE sha256 = b.sha256) AND NOT EXISTS "
            "(SELECT 1 FROM cache_uploads WHERE sha256 = b.sha256)");
        std::vector<std::string> released;
        while (query.step()) released.push_back(query.text(0));
        for (const std::string& digest : released) {
            db.prepare("DELETE FROM blobs WHERE sha256 = ?").bind(1, digest).run();
        }
        return released;
    });
}

Room make_room(Database& db, int64_t quota, int64_t room, const std::set<int64_t>& in_use,
               int64_t now) {
    Room result;
    result.released = release_unreferenced(db);
    while (stored_bytes(db) + room > quota) {
        auto query = db.prepare("SELECT id FROM caches ORDER BY last_used_at, id");
        std::optional<int64_t> victim;
        while (query.step()) {
            if (in_use.count(query.integer(0)) == 0) {
                victim = query.integer(0);
                break;
            }
        }
        query.reset();
        if (!victim) return result;
        db.transaction([&] {
            evict_cache(db, *victim,
                        "least recently used while the store was over its quota of " +
                            std::to_string(quota) + " bytes (--store-quota)",
                        now);
        });
        for (auto& digest : release_unreferenced(db)) result.released.push_back(std::move(digest));
    }
    result.fits = true;
    return result;
}

std::vector<EvictionRow> evictions(Database& db, std::optional<int64_t> pipeline_id,
                                   int64_t limit) {
    auto query = db.prepare(
        "SELECT id, kind, repo, pipeline_id, job, name, size, reason, evicted_at FROM evictions "
        "WHERE ? IS NULL OR pipeline_id = ? ORDER BY evicted_at DESC, id DESC LIMIT ?");
    query.bind(1, pipeline_id).bind(2, pipeline_id).bind(3, limit);
    std::vector<EvictionRow> rows;
    while (query.step()) {
        rows.push_back({query.integer(0), query.text(1), query.text(2), query.optional_integer(3),
                        query.optional_text(4), query.text(5), query.integer(6), query.text(7),
                        query.integer(8)});
    }
    return rows;
}

}  // namespace fmg::coordinator::retention
