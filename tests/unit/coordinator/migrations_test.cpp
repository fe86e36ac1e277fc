// Schema migrations on a real SQLite file: a fresh database reaches the newest version, a
// second run changes nothing, and a database from a newer fmg is refused.

#include "coordinator/store/migrations.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "coordinator/lifecycle/schedules.h"
#include "coordinator/store/schedule_store.h"
#include "tests/unit/coordinator/store_fixture.h"

using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;

namespace {

// Migrations 12 to 21: their tables and columns, dropped by every test that goes back to an
// older schema (20 renamed a column of `secrets`, which goes whole).
constexpr const char* kDropLaterTables =
    "DROP TABLE web_sessions; DROP TABLE secrets; ALTER TABLE pipelines DROP COLUMN from_fork; "
    "DROP TABLE audit_log; DROP TABLE api_tokens; "
    "ALTER TABLE test_cases DROP COLUMN file; "
    "DROP TABLE evictions; DROP TABLE cache_parts; DROP TABLE caches; DROP TABLE cache_uploads; "
    "DROP TABLE test_cases; DROP TABLE test_result_files; DROP TABLE workspace_layers; "
    "DROP TABLE artifacts; DROP TABLE blobs; ";

std::vector<int64_t> applied_versions(Database& db) {
    auto q = db.prepare("SELECT version FROM schema_migrations ORDER BY version");
    std::vector<int64_t> versions;
    while (q.step()) versions.push_back(q.integer(0));
    return versions;
}

}  // namespace

TEST_CASE("a fresh database is migrated to the newest schema, every version recorded once") {
    TempDir dir;
    Database db(dir.path() / "fmg.db");
    REQUIRE(latest_schema_version() >= 1);

    CHECK(migrate(db) == latest_schema_version());

    std::vector<int64_t> expected;
    for (int v = 1; v <= latest_schema_version(); ++v) expected.push_back(v);
    CHECK(applied_versions(db) == expected);
    // The tables the store needs are there.
    PipelineId id = add_pipeline(db);
    CHECK(pipelines::find(db, id).has_value());
    CHECK(runners::all(db).empty());
    CHECK(outbox::next_due(db) == std::nullopt);
}

TEST_CASE("migrating an up-to-date database again is a no-op and keeps the data") {
    TempDir dir;
    PipelineId id = 0;
    {
        Database db(dir.path() / "fmg.db");
        migrate(db);
        id = add_pipeline(db);
        CHECK(migrate(db) == latest_schema_version());
    }
    // As on the next start of the coordinator: a new connection to the same file.
    Database reopened(dir.path() / "fmg.db");
    CHECK(migrate(reopened) == latest_schema_version());
    CHECK(applied_versions(reopened).size() == static_cast<size_t>(latest_schema_version()));
    auto pipeline = pipelines::find(reopened, id);
    REQUIRE(pipeline.has_value());
    CHECK(pipeline->repo == kRepo);
    CHECK(pipeline->status == PipelineState::queued);
}

TEST_CASE("a database written by a newer fmg is refused with a message saying so") {
    TempDir dir;
    Database db(dir.path() / "fmg.db");
    migrate(db);
    int newer = latest_schema_version() + 1;
    db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)")
        .bind(1, int64_t{newer})
        .run();

    try {
        migrate(db);
        FAIL("migrate accepted a database at schema version " << newer);
    } catch (const DbError& e) {
        std::string message = e.what();
        CHECK_THAT(message, Catch::Contains(std::to_string(newer)));
        CHECK_THAT(message, Catch::Contains("newer"));
        CHECK_THAT(message, Catch::Contains("upgrade"));
    }
    // Nothing was applied or removed.
    CHECK(applied_versions(db).back() == newer);
}

TEST_CASE("a database from before the log cap gains its columns and keeps its attempts' logs") {
    TempDir dir;
    AttemptId attempt = 0;
    {
        Database db(dir.path() / "fmg.db");
        migrate(db);
        JobId job = add_job(db, add_pipeline(db), "build", 0);
        attempt = pipelines::insert_attempt(db, job, 1, add_runner(db, "runner-1"), kT0);
        db.prepare("UPDATE attempts SET log_seq = 7, log_bytes = 1234 WHERE id = ?")
            .bind(1, attempt)
            .run();
        // Back to schema 1, as an fmg from before the log cap left it.
        db.exec(
            std::string(kDropLaterTables) +
            "DROP INDEX jobs_by_serial_group; ALTER TABLE jobs DROP COLUMN serial_group; "
            "ALTER TABLE jobs DROP COLUMN requires_statuses; ALTER TABLE attempts DROP COLUMN "
            "log_cap; ALTER TABLE attempts DROP COLUMN "
            "log_tail_gen; ALTER TABLE attempts DROP COLUMN log_tail_bytes; ALTER TABLE "
            "attempts DROP COLUMN log_dropped; ALTER TABLE attempts DROP COLUMN log_in_db; DROP "
            "TABLE attempt_log_chunks; ALTER TABLE pipelines DROP COLUMN fork_repo; ALTER TABLE "
            "pipelines DROP COLUMN approved_by; ALTER TABLE pipelines DROP COLUMN approved_at; "
            "ALTER TABLE jobs DROP COLUMN approved_by; ALTER TABLE jobs DROP COLUMN approved_at; "
            "ALTER TABLE jobs DROP COLUMN needed_labels; ALTER TABLE pipelines DROP COLUMN "
            "pr_number; ALTER TABLE pipelines DROP COLUMN parameters; DROP TABLE schedules; "
            "DROP TABLE scheduled_pipelines; ALTER TABLE jobs DROP COLUMN kind; "
            "DELETE FROM schema_migrations WHERE version > 1");
    }
    Database reopened(dir.path() / "fmg.db");

    CHECK(migrate(reopened) == latest_schema_version());

    AttemptRow row = attempt_row(reopened, attempt);
    CHECK(row.log_seq == 7);
    CHECK(row.log_bytes == 1234);
    // Under the cap: the whole log is its file, as before.
    CHECK(row.log_cap == 0);
    CHECK(row.log_tail_gen == 0);
    CHECK(row.log_tail_bytes == 0);
    CHECK(row.log_dropped == 0);
    // Its log is in its file, not in SQLite: logs start in SQLite only from schema 4 on.
    CHECK_FALSE(row.log_in_db);
}

TEST_CASE("pipelines from before fork approval need none, and their jobs keep running") {
    TempDir dir;
    PipelineId pipeline = 0;
    {
        Database db(dir.path() / "fmg.db");
        migrate(db);
        pipeline = add_pipeline(db);
        add_job(db, pipeline, "build", 0);
        // Back to schema 4, as an fmg from before fork approval left it.
        db.exec(
            std::string(kDropLaterTables) +
            "DROP INDEX jobs_by_serial_group; ALTER TABLE jobs DROP COLUMN serial_group; "
            "ALTER TABLE jobs DROP COLUMN requires_statuses; ALTER TABLE pipelines DROP COLUMN "
            "fork_repo; ALTER TABLE pipelines DROP COLUMN "
            "approved_by; ALTER TABLE pipelines DROP COLUMN approved_at; ALTER TABLE jobs DROP "
            "COLUMN approved_by; ALTER TABLE jobs DROP COLUMN approved_at; ALTER TABLE jobs DROP "
            "COLUMN needed_labels; ALTER TABLE pipelines DROP COLUMN pr_number; ALTER TABLE "
            "pipelines DROP COLUMN parameters; DROP TABLE schedules; DROP TABLE "
            "scheduled_pipelines; ALTER TABLE jobs DROP COLUMN kind; "
            "DELETE FROM schema_migrations WHERE version > 4");
    }
    Database reopened(dir.path() / "fmg.db");
    CHECK(migrate(reopened) == latest_schema_version());
    auto row = pipeline_row(reopened, pipeline);
    CHECK_FALSE(row.fork_repo.has_value());
    CHECK_FALSE(row.approved_by.has_value());
    CHECK(job_named(reopened, pipeline, "build").status == JobState::queued);
    CHECK(pipelines::queued_jobs(reopened, 10).size() == 1);
}

TEST_CASE("jobs from before runner labels need none, and any runner may take them") {
    TempDir dir;
    PipelineId pipeline = 0;
    {
        Database db(dir.path() / "fmg.db");
        migrate(db);
        pipeline = add_pipeline(db);
        add_job(db, pipeline, "build", 0);
        // Back to schema 5, as an fmg from before runner labels left it.
        db.exec(std::string(kDropLaterTables) +
                "DROP INDEX jobs_by_serial_group; ALTER TABLE jobs DROP COLUMN serial_group; "
                "ALTER TABLE jobs DROP COLUMN requires_statuses; ALTER TABLE jobs DROP COLUMN "
                "needed_labels; ALTER TABLE pipelines DROP COLUMN "
                "pr_number; ALTER TABLE pipelines DROP COLUMN parameters; DROP TABLE schedules; "
                "DROP TABLE scheduled_pipelines; ALTER TABLE jobs DROP COLUMN kind; "
                "DELETE FROM schema_migrations WHERE version > 5");
    }
    Database reopened(dir.path() / "fmg.db");
    CHECK(migrate(reopened) == latest_schema_version());
    CHECK(job_named(reopened, pipeline, "build").needed_labels.empty());
    CHECK(pipelines::queued_jobs_offered(reopened, {}, std::nullopt, 10).size() == 1);
}

TEST_CASE("pipelines from before pull request numbers and parameters have neither") {
    TempDir dir;
    PipelineId pipeline = 0;
    {
        Database db(dir.path() / "fmg.db");
        migrate(db);
        pipeline = add_pipeline(db);
        // Back to schema 6, as an fmg from before built-in variables and parameters left it.
        db.exec(
            std::string(kDropLaterTables) +
            "DROP INDEX jobs_by_serial_group; ALTER TABLE jobs DROP COLUMN serial_group; "
            "ALTER TABLE jobs DROP COLUMN requires_statuses; ALTER TABLE jobs DROP COLUMN kind; "
            "DROP TABLE schedules; DROP TABLE "
            "scheduled_pipelines; "
            "ALTER TABLE pipelines DROP "
            "COLUMN pr_number; ALTER TABLE pipelines DROP COLUMN parameters; DELETE FROM "
            "schema_migrations WHERE version > 6");
    }
    Database reopened(dir.path() / "fmg.db");
    CHECK(migrate(reopened) == latest_schema_version());
    auto row = pipeline_row(reopened, pipeline);
    CHECK_FALSE(row.pr_number.has_value());
    CHECK(row.parameters.empty());
}

TEST_CASE(
    "a database from before scheduled workflows gains their tables, and its pipelines "
    "are no scheduled ones") {
    TempDir dir;
    PipelineId pipeline = 0;
    {
        Database db(dir.path() / "fmg.db");
        migrate(db);
        pipeline = add_pipeline(db);
        // Back to schema 7, as an fmg from before scheduled workflows left it.
        db.exec(
            std::string(kDropLaterTables) +
            "DROP INDEX jobs_by_serial_group; ALTER TABLE jobs DROP COLUMN serial_group; "
            "ALTER TABLE jobs DROP COLUMN requires_statuses; ALTER TABLE jobs DROP COLUMN kind; "
            "DROP TABLE schedules; DROP TABLE "
            "scheduled_pipelines; DELETE FROM schema_migrations WHERE version > 7");
    }
    Database reopened(dir.path() / "fmg.db");
    CHECK(migrate(reopened) == latest_schema_version());
    CHECK_FALSE(schedules::scheduled_workflow_of(reopened, pipeline));
    CHECK(lifecycle::record_schedules(reopened,
                                      {kRepo, kRepoUrl, "main", {{"nightly", "0 0 * * *"}}}, kT0));
    CHECK(schedules::all(reopened).size() == 1);
}

TEST_CASE("jobs from before approval and no-op jobs are build jobs, run by runners") {
    TempDir dir;
    PipelineId pipeline = 0;
    {
        Database db(dir.path() / "fmg.db");
        migrate(db);
        pipeline = add_pipeline(db);
        add_job(db, pipeline, "build", 0);
        // Back to schema 8, as an fmg from before job kinds left it.
        db.exec(
            std::string(kDropLaterTables) +
            "DROP INDEX jobs_by_serial_group; ALTER TABLE jobs DROP COLUMN serial_group; "
            "ALTER TABLE jobs DROP COLUMN requires_statuses; ALTER TABLE jobs DROP COLUMN kind; "
            "DELETE FROM schema_migrations WHERE version > 8");
    }
    Database reopened(dir.path() / "fmg.db");
    CHECK(migrate(reopened) == latest_schema_version());
    CHECK(job_named(reopened, pipeline, "build").kind == JobKind::build);
    CHECK(pipelines::queued_jobs(reopened, 10).size() == 1);
}

TEST_CASE("jobs from before requires status qualifiers have none: what they require must succeed") {
    TempDir dir;
    PipelineId pipeline = 0;
    {
        Database db(dir.path() / "fmg.db");
        migrate(db);
        pipeline = add_pipeline(db);
        add_job(db, pipeline, "build", 0);
        add_job(db, pipeline, "deploy", 1, {"build"});
        // Back to schema 9, as an fmg from before status qualifiers left it.
        db.exec(
            std::string(kDropLaterTables) +
            "DROP INDEX jobs_by_serial_group; ALTER TABLE jobs DROP COLUMN serial_group; "
            "ALTER TABLE jobs DROP COLUMN requires_statuses; DELETE FROM schema_migrations WHERE "
            "version > 9");
    }
    Database reopened(dir.path() / "fmg.db");
    CHECK(migrate(reopened) == latest_schema_version());
    const JobRow deploy = job_named(reopened, pipeline, "deploy");
    CHECK(deploy.required_jobs == std::vector<std::string>{"build"});
    CHECK(deploy.status_requirements.empty());
}

TEST_CASE("jobs from before serial groups are in none and run whenever a runner is free") {
    TempDir dir;
    PipelineId pipeline = 0;
    {
        Database db(dir.path() / "fmg.db");
        migrate(db);
        pipeline = add_pipeline(db);
        add_job(db, pipeline, "deploy", 0);
        // Back to schema 10, as an fmg from before serial groups left it.
        db.exec(std::string(kDropLaterTables) +
                "DROP INDEX jobs_by_serial_group; ALTER TABLE jobs DROP COLUMN serial_group; "
                "DELETE FROM schema_migrations WHERE version > 10");
    }
    Database reopened(dir.path() / "fmg.db");
    CHECK(migrate(reopened) == latest_schema_version());
    const JobRow deploy = job_named(reopened, pipeline, "deploy");
    CHECK_FALSE(deploy.serial_group.has_value());
    const auto offered = pipelines::queued_jobs_offered(reopened, {}, std::nullopt, 10);
    REQUIRE(offered.size() == 1);
    CHECK(offered[0].name == "deploy");
}
