// `parallelism`: how many nodes of a job run at once, read from 2.0 and 2.1 configs, bounded,
// and with node names (nodes.h) that cannot collide with another job's.

#include <catch2/catch.hpp>
#include <string>

#include "shared/pipeline/constants.h"
#include "shared/pipeline/nodes.h"
#include "tests/unit/shared/pipeline_test_helpers.h"

using namespace fmg::pipeline;
using namespace fmg::pipeline::testing;

namespace {

std::string config_with_parallelism(const std::string& value) {
    return R"(version: 2
jobs:
  build:
    docker: [{image: alpine}]
    parallelism: )" +
           value + R"(
    steps: [checkout]
)";
}

void check_refused(const std::string& value) {
    const ParseError error = parse_error(config_with_parallelism(value));
    INFO(error.to_string());
    CHECK(error.line == 5);
    CHECK(error.column == 18);
    CHECK_THAT(
        error.message,
        Catch::Contains("`parallelism` of job `build` must be a whole number from 1 to 100"));
}

}  // namespace

TEST_CASE("a job runs one node unless it sets parallelism") {
    CHECK(only_job(parse_ok(config_with_parallelism("1"))).parallelism == 1);
    CHECK(only_job(parse_ok(R"(version: 2
jobs:
  build:
    docker: [{image: alpine}]
    steps: [checkout]
)"))
              .parallelism == 1);
    CHECK(only_job(parse_ok(config_with_parallelism("4"))).parallelism == 4);
    CHECK(only_job(parse_ok(config_with_parallelism("\"12\""))).parallelism == 12);
    CHECK(only_job(parse_ok(config_with_parallelism("100"))).parallelism == kMaxParallelism);
}

TEST_CASE("parallelism outside 1 to 100 or not a whole number is refused at its value") {
    for (const char* value : {"0", "101", "-2", "2.5", "four", "4x", "\"\"", "99999999999"}) {
        INFO(value);
        check_refused(value);
    }
    const ParseError list = parse_error(config_with_parallelism("[2]"));
    CHECK(list.line == 5);
}

TEST_CASE("parallelism comes from a 2.1 job parameter") {
    const Config config = parse_ok(R"(version: 2.1
jobs:
  test:
    parameters:
      nodes: {type: integer, default: 2}
    docker: [{image: alpine}]
    parallelism: << parameters.nodes >>
    steps: [checkout]
workflows:
  ci:
    jobs:
      - test: {name: unit, nodes: 3}
      - test: {name: lint}
)");
    REQUIRE(config.jobs.size() == 2);
    CHECK(config.jobs[0].name == "unit");
    CHECK(config.jobs[0].parallelism == 3);
    CHECK(config.jobs[1].parallelism == 2);
}

TEST_CASE("a node is named after its job and its index") {
    CHECK(node_name("test", 0) == "test[0]");
    CHECK(node_name("OPAM 4.14", 11) == "OPAM 4.14[11]");
    CHECK(node_name(std::string(kMaxJobNameBytes, 'j'), kMaxParallelism - 1).size() <=
          kMaxNodeNameBytes);
}

TEST_CASE("a job named like another job's node is refused at its workflow entry") {
    const ParseError error = parse_error(R"(version: 2
jobs:
  test:
    docker: [{image: alpine}]
    parallelism: 3
    steps: [checkout]
  other:
    docker: [{image: alpine}]
    steps: [checkout]
workflows:
  ci:
    jobs:
      - test
      - other: {name: "test[2]"}
)");
    INFO(error.to_string());
    CHECK(error.line == 13);
    CHECK_THAT(error.message, Catch::Contains("job `test` runs 3 nodes"));
    CHECK_THAT(error.message, Catch::Contains("another job is already named `test[2]`"));
    // Index 3 is not a node of a job with 3: no clash.
    parse_ok(R"(version: 2
jobs:
  test:
    docker: [{image: alpine}]
    parallelism: 3
    steps: [checkout]
  other:
    docker: [{image: alpine}]
    steps: [checkout]
workflows:
  ci:
    jobs:
      - test
      - other: {name: "test[3]"}
)");
}
