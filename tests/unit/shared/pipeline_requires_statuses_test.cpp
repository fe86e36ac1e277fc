// `requires` status qualifiers (`- build: [success, failed]`): read in their forms, checked,
// merged when a name is listed twice, and linked through 2.1 matrix aliases.

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "tests/unit/shared/pipeline_test_helpers.h"

using namespace fmg::pipeline;
using namespace fmg::pipeline::testing;

namespace {

using Statuses = std::map<std::string, std::vector<std::string>>;

std::string config_requiring(const std::string& requires_yaml) {
    return R"(version: 2
jobs:
  build: {docker: [{image: alpine}], steps: [checkout]}
  test: {docker: [{image: alpine}], steps: [checkout]}
  report: {docker: [{image: alpine}], steps: [checkout]}
workflows:
  ci:
    jobs:
      - build
      - test
      - report:
          requires:
)" + requires_yaml;
}

const Job& report_of(const Config& config) {
    REQUIRE(config.jobs.size() == 3);
    REQUIRE(config.jobs.back().name == "report");
    return config.jobs.back();
}

}  // namespace

TEST_CASE("requires items name jobs, or map them to the statuses they may end in") {
    const Config config = parse_ok(config_requiring(R"(            - build
            - test: [success, failed]
)"));
    const Job& report = report_of(config);
    CHECK(report.required_jobs == std::vector<std::string>{"build", "test"});
    CHECK(report.required_statuses == Statuses{{"test", {"failed", "success"}}});
}

TEST_CASE("a qualifier is one status, a list, or nothing (success)") {
    CHECK(report_of(parse_ok(config_requiring("            - test: failed\n"))).required_statuses ==
          Statuses{{"test", {"failed"}}});
    CHECK(report_of(parse_ok(config_requiring("            - test:\n"))).required_statuses.empty());
    CHECK(report_of(parse_ok(config_requiring("            - {test: success}\n")))
              .required_statuses.empty());
    CHECK(report_of(parse_ok(config_requiring(
                        "            - {build: canceled, test: [not_run, failed]}\n")))
              .required_statuses ==
          Statuses{{"build", {"canceled"}}, {"test", {"failed", "not_run"}}});
}

TEST_CASE("a name listed twice accepts the statuses of both") {
    const Config config = parse_ok(config_requiring(R"(            - test
            - test: failed
)"));
    const Job& report = report_of(config);
    CHECK(report.required_jobs == std::vector<std::string>{"test"});
    CHECK(report.required_statuses == Statuses{{"test", {"failed", "success"}}});
}

TEST_CASE("an unknown status or an empty list is refused at its place") {
    ParseError error = parse_error(config_requiring("            - test: [success, failure]\n"));
    INFO(error.to_string());
    CHECK(error.line == 13);
    CHECK(error.column == 31);
    CHECK_THAT(error.message, Catch::Contains("`failure` is not a job status `requires` knows: "
                                              "success, failed, canceled or not_run"));
    error = parse_error(config_requiring("            - test: []\n"));
    CHECK_THAT(error.message, Catch::Contains("are empty"));
    error = parse_error(config_requiring("            - test: {failed: true}\n"));
    CHECK(error.line == 13);
    // A qualified name must still be a job of the workflow.
    error = parse_error(config_requiring("            - tset: failed\n"));
    CHECK(error.line == 13);
    CHECK(error.column == 15);
    CHECK_THAT(error.message, Catch::Contains("requires `tset`, which is not a job of workflow"));
}

TEST_CASE("a qualifier on a 2.1 matrix alias applies to every job of the matrix") {
    const Config config = parse_ok(R"(version: 2.1
jobs:
  test:
    parameters:
      v: {type: string}
    docker: [{image: alpine}]
    steps: [checkout]
  report: {docker: [{image: alpine}], steps: [checkout]}
workflows:
  ci:
    jobs:
      - test:
          matrix:
            parameters:
              v: ["1", "2"]
      - report:
          requires:
            - test: [success, failed]
)");
    REQUIRE(config.jobs.size() == 3);
    const Job& report = config.jobs.back();
    CHECK(report.required_jobs == std::vector<std::string>{"test-1", "test-2"});
    CHECK(report.required_statuses ==
          Statuses{{"test-1", {"failed", "success"}}, {"test-2", {"failed", "success"}}});
}
