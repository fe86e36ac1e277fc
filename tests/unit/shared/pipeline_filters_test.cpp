// Workflow filters: which jobs run for a branch push and for a tag push (CircleCI rules).

#include <catch2/catch.hpp>

#include "tests/unit/shared/pipeline_test_helpers.h"

using namespace fmg::pipeline;
using namespace fmg::pipeline::testing;

namespace {

using Names = std::vector<std::string>;

constexpr std::string_view kRelease = R"(version: 2.1
x-job: &job
  docker: [{image: alpine}]
  steps: [{run: make}]
jobs: {test: *job, docs: *job, package: *job, publish: *job, nightly: *job}
workflows:
  release:
    jobs:
      - test:
          filters:
            tags:
              only: /.*/
      - docs:
          filters:
            branches:
              only: [main, /release\/.*/]
      - package:
          requires: [test]
          filters:
            branches:
              ignore: /wip-.*/
            tags:
              only: /^v\d+\.\d+\.\d+$/
      - publish:
          requires: [package]
          filters:
            branches:
              ignore: /.*/
            tags:
              only: /^v.*/
              ignore: v0.0.0
      - nightly:
          filters:
            branches:
              only: main
              ignore: main
)";

Names run_for_branch(std::string branch) {
    return job_names(parse_ok(kRelease, RefContext{std::move(branch), ""}));
}

Names run_for_tag(std::string tag) {
    return job_names(parse_ok(kRelease, RefContext{"", std::move(tag)}));
}

}  // namespace

TEST_CASE("branch pushes: no branches filter runs, and only and ignore match whole names") {
    CHECK(run_for_branch("main") == Names{"test", "docs", "package"});
    CHECK(run_for_branch("release/2.0") == Names{"test", "docs", "package"});
    CHECK(run_for_branch("feature") == Names{"test", "package"});
    // A regex must match the whole name, not a part of it.
    CHECK(run_for_branch("my-release/x") == Names{"test", "package"});
    CHECK(run_for_branch("mainline") == Names{"test", "package"});
    // package ignores wip- branches; publish ignores every branch.
    CHECK(run_for_branch("wip-parser") == Names{"test"});
}

TEST_CASE("tag pushes run only jobs whose tags filter selects the tag") {
    CHECK(run_for_tag("v1.2.3") == Names{"test", "package", "publish"});
    // package's regex does not match: publish requires it, so publish does not run either.
    CHECK(run_for_tag("v1.2") == Names{"test"});
    CHECK(run_for_tag("nightly-5") == Names{"test"});
}

TEST_CASE("only is applied before ignore: both must agree") {
    // nightly: only main, ignore main -> never runs.
    CHECK(run_for_branch("main") == Names{"test", "docs", "package"});
    // publish: only /^v.*/ but ignore v0.0.0 (an exact name).
    const Config config = parse_ok(R"(version: 2
jobs:
  publish: {docker: [{image: a}], steps: [checkout]}
workflows:
  w:
    jobs:
      - publish:
          filters:
            tags: {only: /^v.*/, ignore: v0.0.0}
)",
                                   RefContext{"", "v0.0.0"});
    CHECK(config.jobs.empty());
}

TEST_CASE("a tags filter without only or ignore selects no tag, but any branch") {
    constexpr std::string_view yaml = R"(version: 2
jobs:
  build: {docker: [{image: a}], steps: [checkout]}
workflows:
  w:
    jobs:
      - build:
          filters:
            tags: {}
)";
    CHECK(parse_ok(yaml, RefContext{"", "v1"}).jobs.empty());
    CHECK(job_names(parse_ok(yaml, RefContext{"main", ""})) == Names{"build"});
}

TEST_CASE("a tags filter ignoring some tags selects the others") {
    constexpr std::string_view yaml = R"(version: 2
jobs:
  build: {docker: [{image: a}], steps: [checkout]}
workflows:
  w:
    jobs:
      - build:
          filters:
            tags:
              ignore: [/.*-rc\d*/, broken]
)";
    CHECK(job_names(parse_ok(yaml, RefContext{"", "v2.0"})) == Names{"build"});
    CHECK(parse_ok(yaml, RefContext{"", "v2.0-rc1"}).jobs.empty());
    CHECK(parse_ok(yaml, RefContext{"", "broken"}).jobs.empty());
}

TEST_CASE("slashes make a regex only when they wrap something") {
    constexpr std::string_view yaml = R"(version: 2
jobs:
  build: {docker: [{image: a}], steps: [checkout]}
workflows:
  w:
    jobs:
      - build:
          filters:
            branches: {only: ["/", "//", "a.b"]}
)";
    CHECK(job_names(parse_ok(yaml, RefContext{"//", ""})) == Names{"build"});
    CHECK(job_names(parse_ok(yaml, RefContext{"a.b", ""})) == Names{"build"});
    CHECK(parse_ok(yaml, RefContext{"axb", ""}).jobs.empty());  // `.` is literal here
}

TEST_CASE("a hostile regex cannot backtrack for long") {
    // Exponential for a backtracking matcher on a 40-character branch.
    constexpr std::string_view yaml = R"(version: 2
jobs:
  build: {docker: [{image: a}], steps: [checkout]}
workflows:
  w:
    jobs:
      - build:
          filters:
            branches: {only: /(a|aa)*(a|aa)*(a|aa)*b/}
)";
    const std::string branch(40, 'a');
    CHECK(parse_ok(yaml, RefContext{branch, ""}).jobs.empty());
}

TEST_CASE("filters are checked even when the ref does not need them") {
    const ParseError error = parse_error(R"(version: 2
jobs:
  build: {docker: [{image: a}], steps: [checkout]}
workflows:
  w:
    jobs:
      - build:
          filters:
            tags: {only: "/[/"}
)",
                                         RefContext{"main", ""});
    CHECK(error.line == 9);
    CHECK(error.column == 26);
    CHECK_THAT(error.message, Catch::Contains("invalid regular expression /[/"));
}
