// CircleCI expressions in a 2.1 config: a workflow's `when`/`unless` and a workflow job's
// `filters` written as `pipeline.git.branch == "main" or ...`, evaluated with the pipeline's
// values; malformed ones are errors at their place, never truthy text.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/unit/shared/pipeline_test_helpers.h"

using namespace fmg::pipeline;
using namespace fmg::pipeline::testing;

namespace {

// A config whose workflow runs `build` when `condition` holds (a YAML scalar as written).
std::string when_config(const std::string& condition) {
    return R"(version: 2.1
parameters:
  deploy: {type: boolean, default: false}
  level: {type: integer, default: 3}
jobs:
  build: {docker: [{image: a}], steps: [checkout]}
workflows:
  ci:
    when: )" +
           condition + R"(
    jobs: [build]
)";
}

bool runs(const std::string& condition, const RefContext& ref = {"main", ""}) {
    return !parse_ok(when_config("'" + condition + "'"), ref).jobs.empty();
}

}  // namespace

TEST_CASE("a workflow's when can be an expression over pipeline values") {
    CHECK(runs(R"(pipeline.git.branch == "main")"));
    CHECK_FALSE(runs(R"(pipeline.git.branch == "main")", {"dev", ""}));
    CHECK(runs(R"(pipeline.git.branch != "main")", {"dev", ""}));
    CHECK(runs(R"(pipeline.git.branch starts-with "release/" or pipeline.git.branch == "main")"));
    CHECK(runs(R"(pipeline.git.branch starts-with "release/")", {"release/1.2", ""}));
    CHECK_FALSE(runs(R"(not (pipeline.git.branch == "main"))"));
    CHECK(runs(R"(pipeline.git.branch matches /ma.n/ and not pipeline.parameters.deploy)"));
    CHECK_FALSE(runs(R"(pipeline.git.branch matches /ma/)"));  // the whole value must match
    CHECK(runs("pipeline.parameters.level >= 3 and pipeline.parameters.level < 4"));
    CHECK_FALSE(runs("pipeline.parameters.level > 3"));
    CHECK(runs(R"(pipeline.git.branch == "main" and (1 == 2 or true))"));
    CHECK(runs(R"("a \"quoted\" \\ text" == "a \"quoted\" \\ text")"));
    // An unset value (no tag on a branch push) is undefined: equal to nothing, false.
    CHECK_FALSE(runs(R"(pipeline.git.tag == "")"));
    CHECK_FALSE(runs(R"(pipeline.git.tag != "v1")"));
    CHECK(runs(R"(pipeline.git.tag starts-with "v" or pipeline.git.branch == "main")"));
}

TEST_CASE("unless takes an expression too, and plain values stay values") {
    const std::string config = R"(version: 2.1
jobs:
  build: {docker: [{image: a}], steps: [checkout]}
workflows:
  ci:
    unless: pipeline.git.branch == "main"
    jobs: [build]
)";
    CHECK(parse_ok(config, {"main", ""}).jobs.empty());
    CHECK(parse_ok(config, {"dev", ""}).jobs.size() == 1);
    // A value that is no expression is true or false as before.
    CHECK(runs("true"));
    CHECK_FALSE(runs("false"));
    CHECK(runs("<< pipeline.git.branch >>"));
}

TEST_CASE("a workflow job's filters can be an expression") {
    const std::string config = R"(version: 2.1
jobs:
  build: {docker: [{image: a}], steps: [checkout]}
  deploy: {docker: [{image: a}], steps: [checkout]}
workflows:
  ci:
    jobs:
      - build
      - deploy:
          requires: [build]
          filters: pipeline.git.branch == "main" or pipeline.git.tag starts-with "v"
)";
    CHECK(job_names(parse_ok(config, {"main", ""})) == std::vector<std::string>{"build", "deploy"});
    CHECK(job_names(parse_ok(config, {"dev", ""})) == std::vector<std::string>{"build"});
    // On a tag push the expression decides for the job itself; `build`, with no tag filters,
    // does not run, so neither does what requires it.
    CHECK(parse_ok(config, {"", "v1.0"}).jobs.empty());
}

TEST_CASE("a malformed expression or an unknown variable is an error at its place") {
    struct Case {
        std::string condition;
        std::string message;
    };
    const std::vector<Case> cases = {
        {R"(pipeline.git.brnch == "main")",
         "at character 1: unknown variable `pipeline.git.brnch`"},
        {R"(branch == "main")", "unknown variable `branch`"},
        {R"(pipeline.git.branch = "main")", "at character 21: `=` must be followed by `=`"},
        {R"(pipeline.git.branch == "main)", "a string without its closing `\"`"},
        {R"((pipeline.git.branch == "main")", "a `(` without its `)`"},
        {R"(pipeline.git.branch == "main" "x")", "more text after the expression"},
        {R"(pipeline.git.branch == )", "the expression ends too early"},
        {R"(pipeline.git.branch > 3)", "compare whole numbers"},
        {R"(pipeline.git.branch matches "main")", "`matches` needs a pattern"},
        {R"(pipeline.git.branch matches /(/ )", "at character 29"},
        {R"(pipeline.git.branch == "a" ; rm -rf /)", "unexpected character `;`"},
    };
    for (const Case& c : cases) {
        INFO(c.condition);
        const ParseError error =
            parse_error(when_config("'" + c.condition + "'"), RefContext{"main", ""});
        CHECK(error.line == 9);
        CHECK_THAT(error.message, Catch::StartsWith("expression `"));
        CHECK_THAT(error.message, Catch::Contains(c.message));
    }
    std::string deep = "pipeline.git.branch == \"main\"";
    for (int i = 0; i < 40; ++i) deep = "(" + deep + ")";
    CHECK_THAT(parse_error(when_config("'" + deep + "'"), RefContext{"main", ""}).message,
               Catch::Contains("nested deeper than 32 levels"));
}

TEST_CASE("an expression as a step's condition is refused, saying where expressions work") {
    const ParseError error = parse_error(R"(version: 2.1
jobs:
  build:
    docker: [{image: a}]
    steps:
      - when:
          condition: pipeline.git.branch == "main"
          steps: [checkout]
)");
    CHECK(error.line == 7);
    CHECK_THAT(error.message, Catch::Contains("work in a workflow's `when`/`unless` and a "
                                              "workflow job's `filters`"));
}
