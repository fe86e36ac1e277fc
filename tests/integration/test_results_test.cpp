// store_test_results through the real binaries: a job's JUnit reports are uploaded and read
// by the coordinator; the job object's `tests` and `fmg show` give the counts and the failed
// tests; a file that is not JUnit XML fails the step saying why.

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/json.h"

using namespace fmg::testing;

TEST_CASE("e2e: JUnit results with failures show in the API and in fmg show") {
    Cluster cluster;
    cluster.start_runner("runner-1", machine_agent_options());
    GitRepo repo = cluster.make_repo();
    repo.write_config(R"yaml(version: 2.1
jobs:
  test:
    machine: true
    steps:
      - run: |
          mkdir -p results/unit results/lint
          cat > results/unit/report.xml <<'XML'
          <testsuites><testsuite name="unit" tests="3">
            <testcase classname="calc" name="adds" time="0.5"/>
            <testcase classname="calc" name="divides" time="0.25"><failure message="expected 2, got 3"/></testcase>
            <testcase classname="calc" name="slow" time="0"><skipped/></testcase>
          </testsuite></testsuites>
          XML
          echo '<testsuite><testcase classname="lint" name="style"/></testsuite>' > results/lint/lint.xml
          echo 'not a report' > results/notes.txt
      - store_test_results: {path: results}
  broken:
    machine: true
    steps:
      - run: mkdir r && echo '<testsuite><testcase>' > r/bad.xml
      - store_test_results: {path: r}
  none:
    machine: true
    steps:
      - run: echo no reports
workflows:
  ci:
    jobs: [test, broken, none]
)yaml");
    const int64_t id = cluster.push(repo, repo.commit("Report the tests"));
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    const auto test = find_named(pipeline, "jobs", "test");
    CHECK(string_field(test, "status") == "success");
    const auto tests = test->getObject("tests");
    REQUIRE(tests);
    CHECK(int_field(tests, "total") == 4);
    CHECK(int_field(tests, "failed") == 1);
    CHECK(int_field(tests, "skipped") == 1);
    const auto failures = object_array(tests, "failures");
    REQUIRE(failures.size() == 1);
    CHECK(string_field(failures[0], "name") == "divides");
    CHECK(string_field(failures[0], "classname") == "calc");
    CHECK(string_field(failures[0], "message") == "expected 2, got 3");
    const std::string log = cluster.job_log(id, "test");
    CHECK_THAT(log, Catch::Contains("Uploaded unit/report.xml"));
    CHECK_THAT(log, !Catch::Contains("notes.txt"));

    // A job without reports has none (null), and one whose report is not XML fails.
    CHECK(find_named(pipeline, "jobs", "none")->isNull("tests"));
    CHECK(string_field(find_named(pipeline, "jobs", "broken"), "status") == "failed");
    CHECK_THAT(cluster.job_log(id, "broken"),
               Catch::Contains("fmg: store_test_results failed: uploading bad.xml: bad.xml is "
                               "not well-formed XML"));

    auto shown = cluster.fmg({"show", std::to_string(id)});
    INFO(shown.out << shown.err);
    REQUIRE(shown.ok());
    CHECK_THAT(shown.out, Catch::Contains("  tests: 4 total, 1 failed, 1 skipped\n"
                                          "    FAILED calc.divides: expected 2, got 3\n"));
}
