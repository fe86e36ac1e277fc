// A scheduled workflow (`triggers: - schedule:`) through the real binaries: it never runs for
// a push; at its fire time the coordinator starts exactly one pipeline for each branch its
// filter lets through, running that workflow only; a restart never fires a fire time twice,
// and fire times missed while the coordinator was down fire once. The coordinator's wall
// clock is set by FMG_TEST_WALL_CLOCK_MS (a test-only variable), so noon comes at once.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "shared/time_format.h"
#include "tests/support/cluster.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

constexpr const char* kConfig = R"(version: 2
jobs:
  build:
    docker: [{image: fmg/busybox:latest}]
    steps:
      - run: echo built
  report:
    docker: [{image: fmg/busybox:latest}]
    steps:
      - run: echo "nightly report"
workflows:
  commit:
    jobs: [build]
  nightly:
    triggers:
      - schedule:
          cron: "0 12 * * *"
          filters:
            branches:
              only: main
    jobs: [report]
)";

int64_t at(const std::string& rfc3339) {
    const auto ms = fmg::parse_rfc3339_ms(rfc3339);
    REQUIRE(ms);
    return *ms;
}

// The coordinator's environment with its wall clock starting at `rfc3339`.
std::map<std::string, std::string> clock_at(const std::string& rfc3339) {
    return {{"FMG_TEST_WALL_CLOCK_MS", std::to_string(at(rfc3339))}};
}

std::vector<Poco::JSON::Object::Ptr> scheduled_pipelines(const Cluster& cluster) {
    const HttpResponse response = cluster.api().get("/api/v1/pipelines?limit=100");
    REQUIRE(response.status == 200);
    std::vector<Poco::JSON::Object::Ptr> scheduled;
    for (const auto& pipeline : object_array(response.json(), "data")) {
        if (string_field(pipeline, "trigger") == "scheduled") scheduled.push_back(pipeline);
    }
    return scheduled;
}

// Waits until the running coordinator's scheduler has passed and says its next fire time:
// after that line, whatever that pass would have started is in the API.
void wait_for_next_fire(Cluster& cluster, const std::string& next_fire) {
    const auto log = cluster.coordinator().stderr_path();
    cluster.wait_until(
        deadline_after(std::chrono::seconds(30)),
        [&] {
            return read_file_text(log).find("scheduler: next fire " + next_fire) !=
                   std::string::npos;
        },
        "the scheduler to announce its next fire time " + next_fire);
}

std::vector<std::string> job_names(const Poco::JSON::Object::Ptr& pipeline) {
    std::vector<std::string> names;
    for (const auto& job : object_array(pipeline, "jobs")) {
        names.push_back(string_field(job, "name"));
    }
    return names;
}

}  // namespace

TEST_CASE(
    "e2e: a scheduled workflow runs once at its fire time, never for pushes, and never "
    "twice across restarts") {
    ClusterOptions options;
    options.coordinator_env = clock_at("2030-01-01T11:00:00Z");
    Cluster cluster(options);
    cluster.start_runner("runner-1", shell_agent_options());

    GitRepo repo = cluster.make_repo();
    repo.write_config(kConfig);
    const std::string main_sha = repo.commit("Nightly report at noon UTC");
    const int64_t push_id = cluster.push(repo, main_sha);
    auto pushed = cluster.wait_for_final(push_id);
    CHECK(string_field(pushed, "status") == "success");
    CHECK(job_names(cluster.pipeline(push_id)) == std::vector<std::string>{"build"});

    // A branch the schedule's filter leaves out gets no scheduled pipeline.
    repo.create_branch("feature");
    repo.write_file("feature.txt", "work in progress\n");
    const std::string feature_sha = repo.commit("Feature work");
    const int64_t feature_id = cluster.push(repo, feature_sha, "refs/heads/feature");
    CHECK(string_field(cluster.wait_for_final(feature_id), "status") == "success");
    wait_for_next_fire(cluster, "2030-01-01T12:00:00.000Z");
    CHECK(scheduled_pipelines(cluster).empty());

    // The fire time starts one pipeline of main's head, running the scheduled workflow.
    // Down at 11:00, back a few seconds before noon: the scheduler waits for noon.
    cluster.kill_coordinator();
    cluster.restart_coordinator(clock_at("2030-01-01T11:59:57Z"));
    cluster.wait_until(
        deadline_after(std::chrono::seconds(60)),
        [&] { return !scheduled_pipelines(cluster).empty(); }, "a scheduled pipeline at noon");
    const int64_t id = int_field(scheduled_pipelines(cluster).front(), "id");
    const auto pipeline = cluster.wait_for_final(id);
    INFO(to_json(pipeline));
    CHECK(string_field(pipeline, "status") == "success");
    CHECK(string_field(pipeline, "ref") == "refs/heads/main");
    CHECK(string_field(pipeline, "sha") == main_sha);
    CHECK(job_names(pipeline) == std::vector<std::string>{"report"});
    const int64_t created = at(string_field(pipeline, "created_at"));
    CHECK(created >= at("2030-01-01T12:00:00Z"));
    CHECK(created < at("2030-01-01T12:00:30Z"));
    const auto log = cluster.fmg({"logs", std::to_string(id), "report"});
    CHECK(log.out.find("nightly report") != std::string::npos);

    wait_for_next_fire(cluster, "2030-01-02T12:00:00.000Z");
    CHECK(scheduled_pipelines(cluster).size() == 1);

    // Back later on the same day: noon has fired already.
    cluster.kill_coordinator();
    cluster.restart_coordinator(clock_at("2030-01-01T12:00:30Z"));
    wait_for_next_fire(cluster, "2030-01-02T12:00:00.000Z");
    CHECK(scheduled_pipelines(cluster).size() == 1);

    // Down for three noons: they start one pipeline, not three.
    cluster.kill_coordinator();
    cluster.restart_coordinator(clock_at("2030-01-04T12:05:00Z"));
    wait_for_next_fire(cluster, "2030-01-05T12:00:00.000Z");
    const auto scheduled = scheduled_pipelines(cluster);
    REQUIRE(scheduled.size() == 2);
    const int64_t late_id = int_field(scheduled.front(), "id");  // newest first
    CHECK(late_id != id);
    const auto late = cluster.wait_for_final(late_id);
    CHECK(string_field(late, "status") == "success");
    CHECK(job_names(late) == std::vector<std::string>{"report"});
    CHECK(string_field(late, "ref") == "refs/heads/main");
}
