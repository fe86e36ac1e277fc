#include "coordinator/store/test_result_store.h"

#include "coordinator/store/blob_rows.h"

namespace fmg::coordinator::test_results {

void record(Database& db, const NewFile& file, const std::vector<TestCase>& cases, int64_t now) {
    db.transaction([&] {
        blobs::record(db, file.sha256, file.size, now);
        db.prepare(
              "INSERT OR IGNORE INTO test_result_files (attempt_id, upload_id, path, sha256, "
              "size, created_at) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(1, file.attempt_id)
            .bind(2, static_cast<int64_t>(file.upload_id))
            .bind(3, file.path)
            .bind(4, file.sha256)
            .bind(5, file.size)
            .bind(6, now)
            .run();
        for (const TestCase& test : cases) {
            db.prepare(
                  "INSERT INTO test_cases (attempt_id, upload_id, classname, name, status, "
                  "message, duration_ms, file) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                .bind(1, file.attempt_id)
                .bind(2, static_cast<int64_t>(file.upload_id))
                .bind(3, test.classname)
                .bind(4, test.name)
                .bind(5, to_string(test.status))
                .bind(6, test.message)
                .bind(7, test.duration_ms)
                .bind(8, test.file)
                .run();
        }
    });
}

bool upload_recorded(Database& db, int64_t attempt_id, uint64_t upload_id) {
    auto query =
        db.prepare("SELECT 1 FROM test_result_files WHERE attempt_id = ? AND upload_id = ?");
    query.bind(1, attempt_id).bind(2, static_cast<int64_t>(upload_id));
    return query.step();
}

std::optional<Summary> summary_of(Database& db, int64_t attempt_id) {
    auto files = db.prepare("SELECT COUNT(*) FROM test_result_files WHERE attempt_id = ?");
    files.bind(1, attempt_id);
    if (!files.step() || files.integer(0) == 0) return std::nullopt;
    Summary summary;
    auto counts = db.prepare(
        "SELECT COUNT(*), COALESCE(SUM(status = 'failed'), 0), COALESCE(SUM(status = "
        "'skipped'), 0) FROM test_cases WHERE attempt_id = ?");
    counts.bind(1, attempt_id);
    if (counts.step()) {
        summary.total = counts.integer(0);
        summary.failed = counts.integer(1);
        summary.skipped = counts.integer(2);
    }
    auto failures = db.prepare(
        "SELECT name, classname, message FROM test_cases WHERE attempt_id = ? AND status = "
        "'failed' ORDER BY classname, name LIMIT ?");
    failures.bind(1, attempt_id).bind(2, kMaxListedFailures);
    while (failures.step()) {
        summary.failures.push_back({failures.text(0), failures.text(1), failures.text(2)});
    }
    return summary;
}

std::vector<TimedTest> latest_timings(Database& db, const std::string& repo, const std::string& job,
                                      int64_t before_pipeline) {
    // The job itself, or one of its nodes: `job[` compared as bytes (no LIKE wildcards).
    constexpr const char* kSameJob =
        "(j.name = ?2 OR substr(CAST(j.name AS BLOB), 1, length(CAST(?2 AS BLOB)) + 1) = "
        "CAST(?2 || '[' AS BLOB))";
    auto latest = db.prepare(
        std::string("SELECT MAX(p.id) FROM pipelines p JOIN jobs j ON j.pipeline_id = p.id JOIN "
                    "test_cases t ON t.attempt_id = j.current_attempt_id WHERE p.repo = ?1 AND "
                    "p.id < ?3 AND ") +
        kSameJob);
    latest.bind(1, repo).bind(2, job).bind(3, before_pipeline);
    if (!latest.step()) return {};
    auto pipeline = latest.optional_integer(0);
    if (!pipeline) return {};
    auto query = db.prepare(
        std::string("SELECT t.file, t.classname, t.duration_ms FROM test_cases t JOIN jobs j ON "
                    "j.current_attempt_id = t.attempt_id WHERE j.pipeline_id = ?1 AND ") +
        kSameJob);
    query.bind(1, *pipeline).bind(2, job);
    std::vector<TimedTest> tests;
    while (query.step()) tests.push_back({query.text(0), query.text(1), query.integer(2)});
    return tests;
}

}  // namespace fmg::coordinator::test_results
