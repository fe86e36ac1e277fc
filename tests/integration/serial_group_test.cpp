// `serial-group` through the real binaries: the deploy jobs of three pipelines share a group.
// While the first runs (held on a file), the others stay queued with the reason in the API
// and `fmg show`, though a runner is free; when it ends, the newest pipeline's deploy runs
// and the middle one's is skipped, with a final GitHub status saying why.

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/support/cluster.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

std::string grouped_config(const std::filesystem::path& dir) {
    const std::string d = dir.string();
    return R"(version: 2.1
jobs:
  lint:
    docker: [{image: fmg/busybox:latest}]
    steps:
      - run: echo "lint of $CIRCLE_SHA1"
  deploy:
    docker: [{image: fmg/busybox:latest}]
    steps:
      - run:
          name: Deploy alone
          command: |
            mkdir )" +
           d + R"(/lock || { echo "two deploys at once"; exit 1; }
            i=0
            while [ ! -f )" +
           d + R"(/release ]; do
              i=$((i+1)); [ $i -lt 1200 ] || { echo "never released"; exit 1; }
              sleep 0.1
            done
            echo "deploy of $CIRCLE_SHA1"
            rmdir )" +
           d + R"(/lock
workflows:
  ci:
    jobs:
      - lint
      - deploy:
          serial-group: << pipeline.project.slug >>/prod
)";
}

std::string job_status(const Poco::JSON::Object::Ptr& pipeline, const std::string& job) {
    return string_field(find_named(pipeline, "jobs", job), "status");
}

}  // namespace

TEST_CASE("e2e: serial-group runs one deploy at a time across pipelines, the newest first") {
    Cluster cluster;
    cluster.start_runner("runner-1", shell_agent_options());
    cluster.start_runner("runner-2", shell_agent_options());
    const auto shared = cluster.dir() / "shared";
    std::filesystem::create_directories(shared);

    GitRepo repo = cluster.make_repo();
    repo.write_config(grouped_config(shared));
    const std::string first_sha = repo.commit("First");
    const int64_t first = cluster.push(repo, first_sha);
    cluster.wait_for_job_status(first, "deploy", "running");

    // Later pipelines: lint runs on the free runner, deploy waits for its group.
    std::vector<int64_t> later;
    std::vector<std::string> later_shas;
    for (const char* message : {"Second", "Third"}) {
        repo.write_file(std::string(message) + ".txt", message);
        later_shas.push_back(repo.commit(message));
        later.push_back(cluster.push(repo, later_shas.back()));
        cluster.wait_for_job_status(later.back(), "lint", "success");
    }
    const std::string group = "gh/octo/demo/prod";
    for (int64_t id : later) {
        const auto pipeline = cluster.pipeline(id);
        INFO("pipeline: " << to_json(pipeline));
        const auto deploy = find_named(pipeline, "jobs", "deploy");
        CHECK(string_field(deploy, "status") == "queued");
        CHECK(string_field(deploy, "serial_group") == group);
        CHECK(string_field(deploy, "waiting_reason") == "serial group " + group +
                                                            " is running job deploy of pipeline " +
                                                            std::to_string(first));
    }
    const CommandResult show = cluster.fmg({"show", std::to_string(later[0])});
    INFO(show.describe({"fmg", "show"}));
    REQUIRE(show.ok());
    CHECK_THAT(show.out, Catch::Contains("serial group " + group + " is running job deploy"));

    // Released: the first deploy ends, the third pipeline's runs, the second's is skipped.
    { std::ofstream release(shared / "release"); }
    for (int64_t id : {first, later[0], later[1]}) {
        const auto pipeline = cluster.wait_for_final(id);
        INFO("pipeline: " << to_json(pipeline));
        CHECK(string_field(pipeline, "status") == "success");
    }
    CHECK(job_status(cluster.pipeline(first), "deploy") == "success");
    CHECK(job_status(cluster.pipeline(later[0]), "deploy") == "skipped");
    CHECK(job_status(cluster.pipeline(later[1]), "deploy") == "success");
    const CommandResult third_log = cluster.fmg({"logs", std::to_string(later[1]), "deploy"});
    REQUIRE(third_log.ok());
    CHECK_THAT(third_log.out, Catch::Contains("deploy of " + later_shas[1]));
    CHECK_THAT(third_log.out, !Catch::Contains("two deploys at once"));

    // The skipped job's `pending` is ended: success, saying why it never ran.
    cluster.wait_for_github_status("fmg/deploy", later_shas[0], "success");
    bool explained = false;
    for (const auto& status : cluster.github().statuses_for("fmg/deploy")) {
        if (status.path.ends_with(later_shas[0]) && status.state == "success") {
            CHECK(status.description == "Job deploy skipped: serial group " + group +
                                            " runs pipeline " + std::to_string(later[1]) +
                                            " instead");
            explained = true;
        }
    }
    CHECK(explained);
}
