#include "coordinator/store/artifact_store.h"

#include "coordinator/store/blob_rows.h"

namespace fmg::coordinator::artifacts {
namespace {

constexpr const char* kOfCurrentAttempt = R"SQL(
SELECT a.path, a.sha256, a.size, a.created_at
FROM artifacts a
JOIN jobs j ON j.current_attempt_id = a.attempt_id
WHERE j.pipeline_id = ? AND j.name = ?)SQL";

ArtifactRow read_row(const Statement& query) {
    return ArtifactRow{query.text(0), query.text(1), query.integer(2), query.integer(3)};
}

}  // namespace

void record(Database& db, const NewArtifact& artifact, int64_t now) {
    db.transaction([&] {
        blobs::record(db, artifact.sha256, artifact.size, now);
        db.prepare(
              "INSERT OR REPLACE INTO artifacts (attempt_id, path, sha256, size, upload_id, "
              "created_at) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(1, artifact.attempt_id)
            .bind(2, artifact.path)
            .bind(3, artifact.sha256)
            .bind(4, artifact.size)
            .bind(5, static_cast<int64_t>(artifact.upload_id))
            .bind(6, now)
            .run();
    });
}

bool upload_recorded(Database& db, int64_t attempt_id, uint64_t upload_id) {
    auto query = db.prepare("SELECT 1 FROM artifacts WHERE attempt_id = ? AND upload_id = ?");
    query.bind(1, attempt_id).bind(2, static_cast<int64_t>(upload_id));
    return query.step();
}

std::vector<ArtifactRow> of_job(Database& db, int64_t pipeline_id, const std::string& job_name) {
    auto query = db.prepare(std::string(kOfCurrentAttempt) + " ORDER BY a.path");
    query.bind(1, pipeline_id).bind(2, job_name);
    std::vector<ArtifactRow> rows;
    while (query.step()) rows.push_back(read_row(query));
    return rows;
}

std::optional<ArtifactRow> find(Database& db, int64_t pipeline_id, const std::string& job_name,
                                const std::string& path) {
    auto query = db.prepare(std::string(kOfCurrentAttempt) + " AND a.path = ?");
    query.bind(1, pipeline_id).bind(2, job_name).bind(3, path);
    if (!query.step()) return std::nullopt;
    return read_row(query);
}

}  // namespace fmg::coordinator::artifacts
