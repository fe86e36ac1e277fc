// Jobs that run nothing on a runner: approval entries (`type: approval` in a workflow) and
// no-op definitions (`type: no-op` under `jobs`), in 2.0 and 2.1 configs.

#include <catch2/catch.hpp>
#include <string>

#include "tests/unit/shared/pipeline_test_helpers.h"

using namespace fmg::pipeline;
using namespace fmg::pipeline::testing;

namespace {

constexpr std::string_view kBuildAndDeploy = R"(jobs:
  build:
    docker: [{image: alpine}]
    steps: [checkout]
  deploy:
    docker: [{image: alpine}]
    steps:
      - run: ./deploy.sh
)";

const Job& job_named(const Config& config, const std::string& name) {
    for (const Job& job : config.jobs) {
        if (job.name == name) return job;
    }
    FAIL("no job " << name);
    return config.jobs.front();
}

void check_error(std::string_view yaml, int line, int column, std::string_view message_part) {
    const ParseError error = parse_error(yaml);
    INFO(error.to_string());
    CHECK(error.line == line);
    CHECK(error.column == column);
    CHECK_THAT(error.message, Catch::Contains(std::string(message_part)));
}

}  // namespace

TEST_CASE("a 2.0 approval entry needs no definition and runs nothing") {
    const Config config = parse_ok("version: 2\n" + std::string(kBuildAndDeploy) + R"(workflows:
  ci:
    jobs:
      - build
      - hold:
          type: approval
          requires: [build]
      - deploy:
          requires: [hold]
)");
    CHECK(job_names(config) == std::vector<std::string>{"build", "hold", "deploy"});
    const Job& hold = job_named(config, "hold");
    CHECK(hold.type == JobType::approval);
    CHECK(hold.workflow == "ci");
    CHECK(hold.required_jobs == std::vector<std::string>{"build"});
    CHECK(hold.image.image.empty());
    CHECK(hold.steps.empty());
    CHECK(hold.labels.empty());
    CHECK(job_named(config, "build").type == JobType::build);
    CHECK(job_named(config, "deploy").required_jobs == std::vector<std::string>{"hold"});
}

TEST_CASE("an approval entry takes a name and filters like any entry") {
    const std::string yaml = "version: 2\n" + std::string(kBuildAndDeploy) + R"(workflows:
  ci:
    jobs:
      - build
      - wait-for-ok:
          name: approve-release
          type: approval
          requires: [build]
          filters: {branches: {only: main}}
      - deploy:
          requires: [approve-release]
)";
    CHECK(job_names(parse_ok(yaml, RefContext{"main", ""})) ==
          std::vector<std::string>{"build", "approve-release", "deploy"});
    CHECK(job_named(parse_ok(yaml, RefContext{"main", ""}), "approve-release").type ==
          JobType::approval);
    // Filtered out, it takes the jobs after it along, as any required job does.
    CHECK(job_names(parse_ok(yaml, RefContext{"dev", ""})) == std::vector<std::string>{"build"});
}

TEST_CASE("a 2.1 approval entry comes through the expansion") {
    const Config config = parse_ok(R"(version: 2.1
jobs:
  build:
    docker: [{image: alpine}]
    parameters:
      target: {type: string, default: staging}
    steps:
      - run: echo << parameters.target >>
workflows:
  ci:
    jobs:
      - build
      - hold:
          type: approval
          requires: [build]
      - build:
          name: deploy
          target: production
          requires: [hold]
)");
    CHECK(job_names(config) == std::vector<std::string>{"build", "hold", "deploy"});
    CHECK(job_named(config, "hold").type == JobType::approval);
    CHECK(job_named(config, "hold").steps.empty());
    CHECK(job_named(config, "deploy").type == JobType::build);
}

TEST_CASE("a no-op definition succeeds without a runner, in 2.0 and 2.1") {
    for (const std::string version : {"2", "2.1"}) {
        INFO("version " << version);
        const Config config =
            parse_ok("version: " + version + "\n" + std::string(kBuildAndDeploy) + R"(  gate:
    type: no-op
workflows:
  ci:
    jobs:
      - build
      - gate:
          requires: [build]
      - deploy:
          requires: [gate]
)");
        CHECK(job_names(config) == std::vector<std::string>{"build", "gate", "deploy"});
        const Job& gate = job_named(config, "gate");
        CHECK(gate.type == JobType::no_op);
        CHECK(gate.image.image.empty());
        CHECK(gate.steps.empty());
    }
    // `type: build` is CircleCI's default, written out.
    const Config written = parse_ok(R"(version: 2
jobs:
  build:
    type: build
    docker: [{image: alpine}]
    steps: [checkout]
)");
    CHECK(only_job(written).type == JobType::build);
}

TEST_CASE("job types other than CircleCI's are errors naming the value") {
    const std::string jobs = "version: 2\n" + std::string(kBuildAndDeploy);
    check_error(jobs + "workflows:\n  ci:\n    jobs:\n      - hold:\n          type: approve\n", 14,
                17, "`type` of a workflow job must be `approval`, not `approve`");
    check_error(jobs + "workflows:\n  ci:\n    jobs:\n      - build:\n          type: no-op\n", 14,
                17, "(a no-op job is defined under `jobs`, with `type: no-op`)");
    check_error(jobs + "workflows:\n  ci:\n    jobs:\n      - hold:\n          type: [approval]\n",
                14, 17, "`type` must be a string");
    check_error(jobs + "  gate:\n    type: noop\n", 11, 11,
                "`type` of job `gate` must be build or no-op, not `noop`");
    check_error(jobs + "  hold:\n    type: approval\n", 11, 11,
                "an approval job is a workflow entry: `- hold: {type: approval}`");
    check_error(jobs + "  gate:\n    type: no-op\n    steps: [checkout]\n", 12, 5,
                "job `gate` is `type: no-op`: it runs nothing, so `steps` has no place in it");
    // An approval entry's name is a job name as any other (API paths, status contexts).
    check_error(jobs + "workflows:\n  ci:\n    jobs:\n      - a/b:\n          type: approval\n", 13,
                9, "job name `a/b` may not contain slashes or control characters");
}

TEST_CASE("an approval entry still needs its requires in its workflow") {
    check_error("version: 2\n" + std::string(kBuildAndDeploy) +
                    "workflows:\n  ci:\n    jobs:\n      - hold:\n          type: approval\n"
                    "          requires: [lint]\n",
                15, 22, "`hold` requires `lint`, which is not a job of workflow `ci`");
}
