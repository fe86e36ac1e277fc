// `serial-group` on a workflow job: read onto the job (also through 2.1 parameters and
// matrix expansion) and checked as CircleCI checks it.

#include <catch2/catch.hpp>
#include <string>

#include "tests/unit/shared/pipeline_test_helpers.h"

using namespace fmg::pipeline;
using namespace fmg::pipeline::testing;

namespace {

std::string config_with_group(const std::string& group_yaml) {
    return R"(version: 2
jobs:
  build: {docker: [{image: alpine}], steps: [checkout]}
  deploy: {docker: [{image: alpine}], steps: [checkout]}
workflows:
  ci:
    jobs:
      - build
      - deploy:
          requires: [build]
          serial-group: )" +
           group_yaml + "\n";
}

}  // namespace

TEST_CASE("serial-group puts the workflow job in its group, and other jobs in none") {
    const Config config = parse_ok(config_with_group("my-org/deploy.prod_1"));
    REQUIRE(config.jobs.size() == 2);
    CHECK(config.jobs[0].serial_group.empty());
    CHECK(config.jobs[1].name == "deploy");
    CHECK(config.jobs[1].serial_group == "my-org/deploy.prod_1");
}

TEST_CASE("2.1: serial-group takes pipeline values and matrix parameters") {
    const Config config = parse_ok(R"(version: 2.1
jobs:
  deploy:
    parameters: {env: {type: string}}
    docker: [{image: alpine}]
    steps: [checkout]
workflows:
  ci:
    jobs:
      - deploy:
          matrix: {parameters: {env: [staging, prod]}}
          serial-group: << pipeline.git.branch >>/deploy-<< matrix.env >>
)",
                                   RefContext{"main", ""});
    REQUIRE(config.jobs.size() == 2);
    CHECK(config.jobs[0].serial_group == "main/deploy-staging");
    CHECK(config.jobs[1].serial_group == "main/deploy-prod");
}

TEST_CASE("a serial-group that is empty, too long, not text or has other characters is refused") {
    ParseError error = parse_error(config_with_group("\"deploy prod\""));
    INFO(error.to_string());
    CHECK(error.line == 11);
    CHECK(error.column == 25);
    CHECK_THAT(error.message,
               Catch::Contains("`serial-group` `deploy prod` must be 1 to 512 letters, digits"));
    CHECK_THAT(parse_error(config_with_group("\"\"")).message, Catch::Contains("must be 1 to 512"));
    CHECK_THAT(parse_error(config_with_group(std::string(513, 'g'))).message,
               Catch::Contains("must be 1 to 512"));
    CHECK(parse_ok(config_with_group(std::string(512, 'g'))).jobs[1].serial_group.size() == 512);
    CHECK_THAT(parse_error(config_with_group("[a, b]")).message, Catch::Contains("serial-group"));
    CHECK_THAT(parse_error(config_with_group("\"$(rm -rf /)\"")).message,
               Catch::Contains("must be 1 to 512"));
}
