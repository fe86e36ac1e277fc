// `override-with` on a 2.1 workflow job: the orb's job runs in the entry's place when the orb
// defines it, the entry's own job otherwise; a 2.0 config is told it needs 2.1.

#include <catch2/catch.hpp>
#include <string>

#include "tests/unit/shared/pipeline_test_helpers.h"

using namespace fmg::pipeline;
using namespace fmg::pipeline::testing;

namespace {

std::string config_overriding(const std::string& override_with) {
    return R"(version: 2.1
orbs:
  platform:
    jobs:
      deploy:
        parameters: {target: {type: string, default: prod}}
        docker: [{image: "platform/deployer:2"}]
        steps:
          - run: platform-deploy << parameters.target >>
jobs:
  deploy:
    parameters: {target: {type: string, default: prod}}
    docker: [{image: alpine}]
    steps:
      - run: ./deploy.sh << parameters.target >>
workflows:
  ci:
    jobs:
      - deploy:
          target: staging
          override-with: )" +
           override_with + "\n";
}

std::string only_command(const Job& job) {
    REQUIRE(job.steps.size() == 1);
    return job.steps.front().command;
}

}  // namespace

TEST_CASE("override-with runs the orb's job under the entry's name with its parameters") {
    const Config config = parse_ok(config_overriding("platform/deploy"));
    const Job& job = only_job(config);
    CHECK(job.name == "deploy");
    CHECK(job.image.image == "platform/deployer:2");
    CHECK(only_command(job) == "platform-deploy staging");
}

TEST_CASE("override-with naming a job the orb does not define falls back to the entry's job") {
    const Config config = parse_ok(config_overriding("platform/release"));
    const Job& job = only_job(config);
    CHECK(job.image.image == "alpine");
    CHECK(only_command(job) == "./deploy.sh staging");
}

TEST_CASE("override-with needs an imported orb's job, and version 2.1") {
    ParseError error = parse_error(config_overriding("elsewhere/deploy"));
    INFO(error.to_string());
    CHECK(error.line == 21);
    CHECK_THAT(error.message, Catch::Contains("`override-with` `elsewhere/deploy` names orb "
                                              "`elsewhere`, which `orbs` does not import"));
    CHECK_THAT(parse_error(config_overriding("deploy")).message,
               Catch::Contains("names an orb's job as ORB/JOB"));
    CHECK_THAT(parse_error(config_overriding("[a, b]")).message, Catch::Contains("override-with"));

    error = parse_error(R"(version: 2
jobs:
  deploy: {docker: [{image: alpine}], steps: [checkout]}
workflows:
  ci:
    jobs:
      - deploy:
          override-with: platform/deploy
)");
    CHECK(error.line == 8);
    CHECK_THAT(error.message,
               Catch::Contains("`override-with` in a workflow job needs `version: 2.1`"));
}
