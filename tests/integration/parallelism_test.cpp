// `parallelism` through the real binaries: a job with two nodes runs on two agents at once
// (each node waits for the other's file, so they pass only together), each node gets its
// share of the tests from `circleci tests split`, sees which node it is under its job's name,
// and the job after it starts once both nodes succeeded. GitHub gets a status per node.

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

std::string parallel_config(const std::filesystem::path& meeting_dir) {
    const std::string dir = meeting_dir.string();
    return R"(version: 2.1
jobs:
  test:
    docker: [{image: fmg/busybox:latest}]
    parallelism: 2
    steps:
      - checkout
      - run:
          name: Meet the other node
          command: |
            touch )" +
           dir + R"(/$CIRCLE_NODE_INDEX
            other=$((1 - CIRCLE_NODE_INDEX)); i=0
            while [ ! -f )" +
           dir + R"(/$other ]; do
              i=$((i+1)); [ $i -lt 600 ] || { echo "node $other never came"; exit 1; }
              sleep 0.1
            done
            echo "node $CIRCLE_NODE_INDEX of $CIRCLE_NODE_TOTAL of job $CIRCLE_JOB met node $other"
      - run:
          name: My share
          command: |
            circleci tests glob "t/*.sh" | circleci tests split | sed 's/^/share: /'
  report:
    docker: [{image: fmg/busybox:latest}]
    steps:
      - run: echo "report after both nodes, node $CIRCLE_NODE_INDEX of $CIRCLE_NODE_TOTAL"
workflows:
  ci:
    jobs:
      - test
      - report: {requires: [test]}
)";
}

std::string runner_of(const Poco::JSON::Object::Ptr& pipeline, const std::string& job) {
    const auto attempts = object_array(find_named(pipeline, "jobs", job), "attempts");
    REQUIRE(attempts.size() == 1);
    return string_field(attempts.front(), "runner");
}

}  // namespace

TEST_CASE("e2e: a job with parallelism 2 runs its nodes on two agents, split, then what follows") {
    Cluster cluster;
    // Shell agents: the nodes meet through files in the test's directory.
    cluster.start_runner("runner-1", shell_agent_options());
    cluster.start_runner("runner-2", shell_agent_options());

    const auto meeting = cluster.dir() / "meeting";
    std::filesystem::create_directories(meeting);
    GitRepo repo = cluster.make_repo();
    repo.write_config(parallel_config(meeting));
    for (const char* name : {"a", "b", "c", "d"}) {
        repo.write_file(std::string("t/") + name + ".sh", "true\n");
    }
    const std::string sha = repo.commit("Parallel tests");

    const int64_t id = cluster.push(repo, sha);
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    REQUIRE(string_field(pipeline, "status") == "success");

    std::vector<std::string> names;
    for (const auto& job : object_array(pipeline, "jobs"))
        names.push_back(string_field(job, "name"));
    CHECK(names == std::vector<std::string>{"test[0]", "test[1]", "report"});
    CHECK(runner_of(pipeline, "test[0]") != runner_of(pipeline, "test[1]"));

    const std::string first = cluster.job_log(id, "test[0]");
    CHECK_THAT(first, Catch::Contains("node 0 of 2 of job test met node 1"));
    CHECK_THAT(first, Catch::Contains("share: t/a.sh\nshare: t/b.sh\n"));
    CHECK_THAT(first, !Catch::Contains("t/c.sh"));
    const std::string second = cluster.job_log(id, "test[1]");
    CHECK_THAT(second, Catch::Contains("node 1 of 2 of job test met node 0"));
    CHECK_THAT(second, Catch::Contains("share: t/c.sh\nshare: t/d.sh\n"));
    CHECK_THAT(cluster.job_log(id, "report"),
               Catch::Contains("report after both nodes, node 0 of 1"));
    // RFC 3339 times in UTC with milliseconds: their text sorts as the times do.
    const std::string report_started =
        string_field(find_named(pipeline, "jobs", "report"), "started_at");
    for (const char* node : {"test[0]", "test[1]"}) {
        CHECK(string_field(find_named(pipeline, "jobs", node), "finished_at") <= report_started);
    }

    // One status per node, each ending in success.
    for (const char* context : {"fmg/test[0]", "fmg/test[1]", "fmg/report"}) {
        INFO(context);
        cluster.wait_until(
            deadline_after(std::chrono::seconds(30)),
            [&] {
                const auto posted = cluster.github().statuses_for(context);
                return !posted.empty() && posted.back().state == "success";
            },
            std::string("a success status for ") + context);
    }
}
