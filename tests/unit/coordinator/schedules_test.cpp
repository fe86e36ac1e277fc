// Scheduled workflows in the coordinator, on a real SQLite file with a fake clock: what a
// branch schedules is recorded and replaced, and each fire time starts one pipeline, once,
// however often the scheduler passes, across a restart, and after downtime.

#include "coordinator/lifecycle/schedules.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "coordinator/schedules/branch_schedules.h"
#include "coordinator/schedules/scheduler.h"
#include "coordinator/store/schedule_store.h"
#include "shared/clock.h"
#include "shared/time_format.h"
#include "tests/unit/coordinator/store_fixture.h"

using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;

namespace {

int64_t at(const std::string& rfc3339) {
    auto ms = fmg::parse_rfc3339_ms(rfc3339);
    REQUIRE(ms);
    return *ms;
}

lifecycle::BranchSchedules main_branch(std::vector<lifecycle::ScheduledWorkflow> schedules) {
    return {kRepo, kRepoUrl, "main", std::move(schedules)};
}

std::vector<std::string> described(Database& db) {
    std::vector<std::string> out;
    for (const auto& row : schedules::all(db)) {
        out.push_back(row.branch + " " + row.workflow + " " + row.cron);
    }
    return out;
}

std::vector<PipelineRow> scheduled_pipelines(Database& db) {
    std::vector<PipelineRow> rows;
    pipelines::ListFilter filter;
    filter.limit = 1000;
    for (const auto& row : pipelines::list(db, filter).second) {
        if (row.trigger == "scheduled") rows.push_back(row);
    }
    return rows;
}

}  // namespace

TEST_CASE("a branch's schedules are recorded, kept when recorded again, and replaced") {
    Store store;
    const int64_t t0 = at("2030-01-01T10:00:00Z");
    CHECK(lifecycle::record_schedules(
        store.db, main_branch({{"nightly", "0 0 * * *"}, {"hourly", "0 * * * *"}}), t0));
    CHECK(described(store.db) ==
          std::vector<std::string>{"main nightly 0 0 * * *", "main hourly 0 * * * *"});
    const int64_t nightly_id = schedules::all(store.db)[0].id;
    CHECK(schedules::all(store.db)[0].last_fire_at == t0);

    // Another push with the same config changes nothing, not even when they count from.
    CHECK_FALSE(lifecycle::record_schedules(
        store.db, main_branch({{"nightly", "0 0 * * *"}, {"hourly", "0 * * * *"}}), t0 + 5000));
    CHECK(schedules::all(store.db)[0].last_fire_at == t0);

    // Another branch's schedules are its own.
    CHECK(lifecycle::record_schedules(
        store.db, {kRepo, kRepoUrl, "release", {{"nightly", "0 0 * * *"}}}, t0 + 6000));
    // The hourly schedule leaves main's config; nightly stays as it was; a new cron is new.
    CHECK(lifecycle::record_schedules(
        store.db, main_branch({{"nightly", "0 0 * * *"}, {"weekly", "0 0 * * 0"}}), t0 + 7000));
    CHECK(described(store.db) == std::vector<std::string>{"main nightly 0 0 * * *",
                                                          "release nightly 0 0 * * *",
                                                          "main weekly 0 0 * * 0"});
    CHECK(schedules::find(store.db, nightly_id)->last_fire_at == t0);
    // A config without triggers removes the branch's schedules; one schedule listed twice is
    // recorded once.
    CHECK(lifecycle::record_schedules(store.db, main_branch({}), t0 + 8000));
    CHECK(lifecycle::record_schedules(
        store.db, {kRepo, kRepoUrl, "release", {{"a", "0 1 * * *"}, {"a", "0 1 * * *"}}},
        t0 + 9000));
    CHECK(described(store.db) == std::vector<std::string>{"release a 0 1 * * *"});
}

TEST_CASE("a schedule fires once at its fire time, as a pipeline of its branch's head") {
    Store store;
    const int64_t t0 = at("2030-01-01T23:59:00Z");
    lifecycle::record_schedules(store.db, main_branch({{"nightly", "0 0 * * *"}}), t0);
    const auto id = schedules::all(store.db)[0].id;

    CHECK_FALSE(lifecycle::fire_schedule(store.db, id, at("2030-01-01T23:59:59.999Z")));
    auto fired = lifecycle::fire_schedule(store.db, id, at("2030-01-02T00:00:00.200Z"));
    REQUIRE(fired);
    CHECK(fired->due_at == at("2030-01-02T00:00:00Z"));
    const PipelineRow pipeline = pipeline_row(store.db, fired->pipeline_id);
    CHECK(pipeline.trigger == "scheduled");
    CHECK(pipeline.repo == kRepo);
    CHECK(pipeline.repo_url == kRepoUrl);
    CHECK(pipeline.ref == "refs/heads/main");
    CHECK(pipeline.sha.empty());  // the preparer takes the branch's head
    CHECK_FALSE(pipeline.prepared);
    CHECK(schedules::scheduled_workflow_of(store.db, fired->pipeline_id) == "nightly");
    CHECK_FALSE(schedules::scheduled_workflow_of(store.db, fired->pipeline_id + 1000));

    // The same fire time never fires again, however often asked.
    CHECK_FALSE(lifecycle::fire_schedule(store.db, id, at("2030-01-02T00:00:00.300Z")));
    CHECK_FALSE(lifecycle::fire_schedule(store.db, id, at("2030-01-02T23:59:59Z")));
    CHECK(lifecycle::fire_schedule(store.db, id, at("2030-01-03T00:00:01Z")));
    CHECK(scheduled_pipelines(store.db).size() == 2);
    // A removed schedule fires no more.
    lifecycle::record_schedules(store.db, main_branch({}), at("2030-01-03T01:00:00Z"));
    CHECK_FALSE(lifecycle::fire_schedule(store.db, id, at("2030-01-04T00:00:01Z")));
}

TEST_CASE("scheduler passes with a fake clock: due schedules fire once, the next fire time") {
    Store store;
    fmg::ManualClock clock;  // starts at 2023-11-14T22:13:20Z
    lifecycle::record_schedules(store.db, main_branch({{"every-minute", "* * * * *"}}),
                                clock.wall_ms());
    lifecycle::record_schedules(store.db, {kRepo, kRepoUrl, "dev", {{"nightly", "0 0 * * *"}}},
                                clock.wall_ms());

    SchedulerPass pass = fire_due_schedules(store.db, clock.wall_ms());
    CHECK(pass.started.empty());
    CHECK(pass.next_fire_at == at("2023-11-14T22:14:00Z"));

    clock.advance(std::chrono::seconds(40));  // 22:14:00
    pass = fire_due_schedules(store.db, clock.wall_ms());
    CHECK(pass.started.size() == 1);
    CHECK(pass.next_fire_at == at("2023-11-14T22:15:00Z"));
    // A second pass at the same time (a wake-up) starts nothing more.
    CHECK(fire_due_schedules(store.db, clock.wall_ms()).started.empty());
    clock.advance(std::chrono::seconds(59));
    CHECK(fire_due_schedules(store.db, clock.wall_ms()).started.empty());
    clock.advance(std::chrono::seconds(1));  // 22:15:00
    CHECK(fire_due_schedules(store.db, clock.wall_ms()).started.size() == 1);
    CHECK(scheduled_pipelines(store.db).size() == 2);
}

TEST_CASE("after downtime, the fire times missed fire once, and a restart fires nothing twice") {
    TempDir dir;
    const auto file = dir.path() / "fmg.db";
    const int64_t t0 = at("2030-01-01T12:00:30Z");
    {
        Database db(file);
        migrate(db);
        lifecycle::record_schedules(
            db, main_branch({{"every-minute", "* * * * *"}, {"nightly", "0 0 * * *"}}), t0);
        CHECK(fire_due_schedules(db, at("2030-01-01T12:01:00.010Z")).started.size() == 1);
    }
    {
        // A coordinator started again on the same database at the same minute: nothing.
        Database db(file);
        migrate(db);
        CHECK(fire_due_schedules(db, at("2030-01-01T12:01:30Z")).started.empty());
    }
    {
        // Down for three days: 4,320 minutes and three midnights passed; each schedule
        // starts one pipeline, not one per missed fire time.
        Database db(file);
        migrate(db);
        const SchedulerPass pass = fire_due_schedules(db, at("2030-01-04T12:00:30Z"));
        CHECK(pass.started.size() == 2);
        CHECK(pass.next_fire_at == at("2030-01-04T12:01:00Z"));
        CHECK(fire_due_schedules(db, at("2030-01-04T12:00:59Z")).started.empty());
        CHECK(scheduled_pipelines(db).size() == 3);
    }
}

TEST_CASE("two coordinators passing on one database at once start one pipeline") {
    Store store;
    const int64_t t0 = at("2030-01-01T11:59:00Z");
    lifecycle::record_schedules(store.db, main_branch({{"nightly", "0 12 * * *"}}), t0);
    Database other(store.db.file());
    const int64_t noon = at("2030-01-01T12:00:00.050Z");
    // Both saw it due before either fired: the second finds it fired, inside its transaction.
    const auto id = schedules::all(store.db)[0].id;
    CHECK(lifecycle::fire_schedule(store.db, id, noon));
    CHECK_FALSE(lifecycle::fire_schedule(other, id, noon));
    CHECK(fire_due_schedules(other, noon).started.empty());
    CHECK(scheduled_pipelines(store.db).size() == 1);
}

TEST_CASE("only a pipeline of the repository's own branch records that branch's schedules") {
    fmg::pipeline::Config config;
    config.schedules.push_back({"nightly", "0 0 * * *", {"main"}, {}});
    PipelineRow row;
    row.repo = kRepo;
    row.repo_url = kRepoUrl;
    row.ref = "refs/heads/main";
    for (const std::string trigger : {"push", "manual", "scheduled"}) {
        row.trigger = trigger;
        auto branch = branch_schedules(row, config);
        REQUIRE(branch);
        CHECK(branch->branch == "main");
        REQUIRE(branch->schedules.size() == 1);
        CHECK(branch->schedules[0].workflow == "nightly");
    }
    row.trigger = "pull_request";
    CHECK_FALSE(branch_schedules(row, config));
    row.trigger = "retry";
    CHECK_FALSE(branch_schedules(row, config));
    row.trigger = "push";
    row.ref = "refs/tags/v1";
    CHECK_FALSE(branch_schedules(row, config));
    // A config without schedules is news too: the branch's schedules are removed.
    row.ref = "refs/heads/feature";
    auto feature = branch_schedules(row, fmg::pipeline::Config{});
    REQUIRE(feature);
    CHECK(feature->schedules.empty());
}
