// Scheduled workflows (`triggers: - schedule:`): they never run for pushes, a scheduled run
// runs only its workflow, the config lists the schedules a branch gets, and a bad trigger is
// an error at its position.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/unit/shared/pipeline_test_helpers.h"

using namespace fmg::pipeline;
using namespace fmg::pipeline::testing;

namespace {

using Names = std::vector<std::string>;

constexpr const char* kScheduled = R"(version: 2
jobs:
  build:
    docker: [{image: busybox}]
    steps: [{run: make}]
  coverage:
    docker: [{image: busybox}]
    steps: [{run: make coverage}]
  report:
    docker: [{image: busybox}]
    steps: [{run: make report}]
workflows:
  commit:
    jobs: [build]
  nightly:
    triggers:
      - schedule:
          cron: "0 0 * * *"
          filters:
            branches:
              only: [main, /release-.*/]
    jobs:
      - coverage
      - report:
          requires: [coverage]
)";

RefContext branch(const std::string& name) {
    RefContext ref;
    ref.branch = name;
    return ref;
}

RefContext scheduled(const std::string& branch_name, const std::string& workflow) {
    RefContext ref = branch(branch_name);
    ref.scheduled_workflow = workflow;
    return ref;
}

Names workflows_of(const std::vector<Schedule>& schedules) {
    Names names;
    for (const Schedule& schedule : schedules) names.push_back(schedule.workflow);
    return names;
}

// A config whose `nightly` workflow has `triggers` written as `triggers`.
std::string with_triggers(const std::string& triggers) {
    return "version: 2\njobs:\n  build:\n    docker: [{image: busybox}]\n    steps: [{run: "
           "make}]\nworkflows:\n  nightly:\n    triggers:\n" +
           triggers + "    jobs: [build]\n";
}

void check_error(const std::string& yaml, int line, int column, const std::string& part) {
    const ParseError error = parse_error(yaml, branch("main"));
    INFO(error.to_string());
    CHECK(error.line == line);
    CHECK(error.column == column);
    CHECK(error.message.find(part) != std::string::npos);
}

}  // namespace

TEST_CASE("a scheduled workflow does not run for a push, the others do") {
    const Config config = parse_ok(kScheduled, branch("main"));
    CHECK(job_names(config) == Names{"build"});
    REQUIRE(config.schedules.size() == 1);
    const Schedule& schedule = config.schedules[0];
    CHECK(schedule.workflow == "nightly");
    CHECK(schedule.cron == "0 0 * * *");
    CHECK(schedule.branches_only == Names{"main", "/release-.*/"});
    CHECK(schedule.branches_ignore.empty());
}

TEST_CASE("a scheduled run runs its workflow's jobs only, in order") {
    const Config config = parse_ok(kScheduled, scheduled("main", "nightly"));
    CHECK(job_names(config) == Names{"coverage", "report"});
    CHECK(config.jobs[1].required_jobs == Names{"coverage"});
    CHECK(config.jobs[1].workflow == "nightly");
    // A workflow without triggers is never a scheduled run's.
    CHECK(parse_ok(kScheduled, scheduled("main", "commit")).jobs.empty());
    CHECK(parse_ok(kScheduled, scheduled("main", "gone")).jobs.empty());
}

TEST_CASE("the schedules a branch gets follow the trigger's branch filter") {
    CHECK(workflows_of(parse_ok(kScheduled, branch("release-1")).schedules) == Names{"nightly"});
    CHECK(parse_ok(kScheduled, branch("feature")).schedules.empty());
    CHECK(parse_ok(kScheduled, branch("pre-release-1")).schedules.empty());
    RefContext tag;
    tag.tag = "v1.0";
    const Config for_tag = parse_ok(kScheduled, tag);
    CHECK(for_tag.schedules.empty());
    CHECK(for_tag.jobs.empty());
    // Without a ref (fmg validate): every job of every workflow, and every schedule.
    const Config everything = parse_ok(kScheduled);
    CHECK(job_names(everything) == Names{"build", "coverage", "report"});
    CHECK(workflows_of(everything.schedules) == Names{"nightly"});
}

TEST_CASE("a schedule's `only` wins over its `ignore`, and `ignore` alone excludes") {
    const std::string only_and_ignore = with_triggers(
        "      - schedule:\n          cron: \"0 0 * * *\"\n          filters:\n            "
        "branches:\n              only: [main, dev]\n              ignore: main\n");
    CHECK(parse_ok(only_and_ignore, branch("main")).schedules.size() == 1);
    CHECK(parse_ok(only_and_ignore, branch("other")).schedules.empty());
    const std::string ignore = with_triggers(
        "      - schedule:\n          cron: \"0 0 * * *\"\n          filters:\n            "
        "branches:\n              ignore: /wip-.*/\n");
    CHECK(parse_ok(ignore, branch("main")).schedules.size() == 1);
    CHECK(parse_ok(ignore, branch("wip-1")).schedules.empty());
    const std::string every_branch = with_triggers(
        "      - schedule:\n          cron: \"0 0 * * *\"\n          filters:\n            "
        "branches: {}\n");
    CHECK(parse_ok(every_branch, branch("anything")).schedules.size() == 1);
}

TEST_CASE("several schedules of one workflow are each listed") {
    const std::string yaml = with_triggers(
        "      - schedule:\n          cron: \"0 0 * * *\"\n          filters: {branches: "
        "{only: main}}\n      - schedule:\n          cron: \"30 12 * * 1,2,3,4,5\"\n          "
        "filters: {branches: {only: main}}\n");
    const Config config = parse_ok(yaml, branch("main"));
    REQUIRE(config.schedules.size() == 2);
    CHECK(config.schedules[1].cron == "30 12 * * 1,2,3,4,5");
    CHECK(config.jobs.empty());  // its only workflow is scheduled
}

TEST_CASE("a 2.1 config schedules a workflow the same way") {
    const std::string yaml = R"(version: 2.1
jobs:
  build:
    docker: [{image: busybox}]
    steps: [{run: echo << pipeline.trigger_source >>}]
workflows:
  nightly:
    triggers:
      - schedule:
          cron: "15 3 * * *"
          filters:
            branches:
              only: main
    jobs: [build]
)";
    ParseOptions options;
    options.ref = scheduled("main", "nightly");
    options.pipeline.trigger_source = "scheduled_pipeline";
    auto parsed = parse_config(yaml, kConfigFile, options);
    REQUIRE(std::holds_alternative<Config>(parsed));
    const Config& config = std::get<Config>(parsed);
    REQUIRE(config.jobs.size() == 1);
    CHECK(config.jobs[0].steps[0].command == "echo scheduled_pipeline");
    CHECK(workflows_of(config.schedules) == Names{"nightly"});
    CHECK(parse_ok(yaml, branch("main")).jobs.empty());
}

TEST_CASE("a schedule needs a cron and branch filters, as CircleCI") {
    check_error(with_triggers("      - schedule:\n          filters: {branches: {only: main}}\n"),
                9, 9, "a `schedule` needs `cron`");
    check_error(with_triggers("      - schedule:\n          cron: \"0 0 * * *\"\n"), 9, 9,
                "a `schedule` needs `filters` with `branches`");
    check_error(with_triggers("      - schedule:\n          cron: \"0 0 * * *\"\n          "
                              "filters: {tags: {only: v1}}\n"),
                11, 21, "unknown key `tags` in a schedule's `filters` (expected branches)");
    check_error(with_triggers("      - schedule:\n          cron: \"0 0 * * *\"\n          "
                              "filters: {}\n"),
                11, 11, "a schedule's `filters` needs `branches`");
}

TEST_CASE("a bad cron is an error at the cron's value, naming the field") {
    check_error(with_triggers("      - schedule:\n          cron: \"*/10 * * * *\"\n          "
                              "filters: {branches: {only: main}}\n"),
                10, 17, "invalid cron `*/10 * * * *`: minute `*/10`: steps are not supported");
    check_error(with_triggers("      - schedule:\n          cron: 0 25 * * *\n          "
                              "filters: {branches: {only: main}}\n"),
                10, 17, "hour `25`: 25 is out of range (0-23)");
    check_error(with_triggers("      - schedule:\n          cron: [0, 0]\n          "
                              "filters: {branches: {only: main}}\n"),
                10, 17, "`cron` must be a string");
}

TEST_CASE("`triggers` is a list of `schedule` maps with known keys") {
    check_error(with_triggers("      - webhook: {}\n"), 9, 9,
                "a trigger is a single `schedule:` map");
    check_error(with_triggers("      - schedule:\n          cron: \"0 0 * * *\"\n          "
                              "filters: {branches: {only: main}}\n          timezone: UTC\n"),
                12, 11, "unknown key `timezone` in a `schedule` (expected cron or filters)");
    check_error(with_triggers("      schedule: {}\n"), 9, 7, "`triggers` must be a list");
    check_error(with_triggers("      - schedule:\n          cron: \"0 0 * * *\"\n          "
                              "filters: {branches: {only: \"/(/\"}}\n"),
                11, 38, "invalid regular expression");
}
