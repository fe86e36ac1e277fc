// Serial groups on a real SQLite store: one job of a group runs at a time across pipelines,
// the queue offers no other job of the group meanwhile, and an older pipeline's job is
// skipped once a newer pipeline's job of its group is queued or has started.

#include "coordinator/lifecycle/serial_groups.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "coordinator/lifecycle/operations.h"
#include "tests/unit/coordinator/store_fixture.h"

using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;

namespace {

/// A queued job of `group` (none when empty), as the preparer inserts one.
JobId add_grouped_job(Database& db, PipelineId pipeline, const std::string& name,
                      const std::string& group, int64_t position = 0) {
    pipelines::NewJob job{name, position, JobState::queued, {}, sample_spec()};
    if (!group.empty()) job.serial_group = group;
    return pipelines::insert_job(db, pipeline, job, kT0);
}

std::vector<std::string> offered_names(Database& db) {
    std::vector<std::string> names;
    for (const JobRow& job : pipelines::queued_jobs_offered(db, {}, std::nullopt, 100)) {
        names.push_back(std::to_string(job.pipeline_id) + ":" + job.name);
    }
    return names;
}

}  // namespace

TEST_CASE("a job of a serial group waits while another job of its group runs, in any pipeline") {
    Store store;
    RunnerId runner = add_runner(store.db, "runner-1");
    PipelineId first = add_pipeline(store.db);
    PipelineId second = add_pipeline(store.db, kT0 + 1);
    JobId deploy_1 = add_grouped_job(store.db, first, "deploy", "prod");
    JobId deploy_2 = add_grouped_job(store.db, second, "deploy", "prod");
    add_grouped_job(store.db, second, "lint", "", 1);
    add_grouped_job(store.db, second, "docs", "staging", 2);

    AttemptId attempt = start_job(store.db, deploy_1, runner, kT0);

    // The other `prod` job is neither offered nor dispatched; jobs of no group or of another
    // group are.
    const std::string p2 = std::to_string(second);
    CHECK(offered_names(store.db) == std::vector<std::string>{p2 + ":lint", p2 + ":docs"});
    CHECK_FALSE(lifecycle::dispatch_job(store.db, deploy_2, runner, kT0).has_value());
    CHECK(job_named(store.db, second, "deploy").status == JobState::queued);
    const auto holder = pipelines::running_in_serial_group(store.db, "prod", second);
    REQUIRE(holder.has_value());
    CHECK(holder->id == deploy_1);

    // Once it ends, the group's turn passes on.
    REQUIRE(lifecycle::finish_attempt(store.db, store.statuses, attempt, AttemptState::failed,
                                      std::nullopt, kT0 + 1000));
    CHECK_FALSE(pipelines::running_in_serial_group(store.db, "prod", second).has_value());
    CHECK(offered_names(store.db) ==
          std::vector<std::string>{p2 + ":deploy", p2 + ":lint", p2 + ":docs"});
    CHECK(lifecycle::dispatch_job(store.db, deploy_2, runner, kT0 + 2000).has_value());
}

TEST_CASE("an older pipeline's job of a serial group is skipped when a newer one is queued") {
    Store store;
    PipelineId old_pipeline = add_pipeline(store.db);
    PipelineId new_pipeline = add_pipeline(store.db, kT0 + 1);
    JobId old_deploy = add_grouped_job(store.db, old_pipeline, "deploy", "prod");
    JobId new_deploy = add_grouped_job(store.db, new_pipeline, "deploy", "prod");

    // The newest pipeline's job is never superseded: nothing newer is in its group.
    CHECK_FALSE(lifecycle::supersede_if_newer(store.db, store.statuses, new_deploy, kT0));
    CHECK(job_named(store.db, new_pipeline, "deploy").status == JobState::queued);

    CHECK(lifecycle::supersede_if_newer(store.db, store.statuses, old_deploy, kT0 + 10));
    const JobRow skipped = job_named(store.db, old_pipeline, "deploy");
    CHECK(skipped.status == JobState::skipped);
    CHECK(skipped.finished_at == kT0 + 10);
    CHECK(pipelines::attempts_of(store.db, old_deploy).empty());
    // Its pipeline moves on as after any job's end: here it has nothing left to run.
    CHECK(pipeline_row(store.db, old_pipeline).finished_at.has_value());
    // Done once: the skipped job is no longer queued.
    CHECK_FALSE(lifecycle::supersede_if_newer(store.db, store.statuses, old_deploy, kT0 + 20));
}

TEST_CASE("an older pipeline's job is skipped after a newer one of its group ran, not before") {
    Store store;
    RunnerId runner = add_runner(store.db, "runner-1");
    PipelineId old_pipeline = add_pipeline(store.db);
    PipelineId new_pipeline = add_pipeline(store.db, kT0 + 1);
    JobId old_deploy = add_grouped_job(store.db, old_pipeline, "deploy", "prod");
    // The newer pipeline's job still waits for what it requires: it does not supersede yet.
    JobId build = add_grouped_job(store.db, new_pipeline, "build", "");
    pipelines::NewJob blocked{"deploy", 1, JobState::blocked, {"build"}, sample_spec()};
    blocked.serial_group = "prod";
    pipelines::insert_job(store.db, new_pipeline, blocked, kT0);
    CHECK_FALSE(lifecycle::supersede_if_newer(store.db, store.statuses, old_deploy, kT0));

    run_job(store, build, runner, AttemptState::success, kT0);
    const JobId new_deploy = job_named(store.db, new_pipeline, "deploy").id;
    run_job(store, new_deploy, runner, AttemptState::success, kT0 + 2000);

    CHECK(lifecycle::supersede_if_newer(store.db, store.statuses, old_deploy, kT0 + 5000));
    CHECK(job_named(store.db, old_pipeline, "deploy").status == JobState::skipped);
}

TEST_CASE("jobs of one pipeline, of different serial groups or of none never wait for each other") {
    Store store;
    RunnerId runner = add_runner(store.db, "runner-1");
    PipelineId pipeline = add_pipeline(store.db);
    // The nodes of a parallel job in a group: the pipeline holds the group, not one node.
    JobId node_0 = add_grouped_job(store.db, pipeline, "deploy[0]", "prod");
    JobId node_1 = add_grouped_job(store.db, pipeline, "deploy[1]", "prod", 1);
    JobId b = add_grouped_job(store.db, pipeline, "b", "group-b", 2);
    JobId c = add_grouped_job(store.db, pipeline, "c", "", 3);
    for (JobId job : {node_0, node_1, b, c}) start_job(store.db, job, runner, kT0);
    for (const char* name : {"deploy[0]", "deploy[1]", "b", "c"}) {
        INFO(name);
        CHECK(job_named(store.db, pipeline, name).status == JobState::running);
    }
    CHECK_FALSE(pipelines::running_in_serial_group(store.db, "prod", pipeline).has_value());
    CHECK(pipelines::running_in_serial_group(store.db, "prod", pipeline + 1).has_value());
    CHECK_FALSE(lifecycle::supersede_if_newer(store.db, store.statuses, c, kT0));
}
