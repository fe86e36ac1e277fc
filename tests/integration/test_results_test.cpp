// store_test_results through the real binaries: a job's JUnit reports are uploaded and read
// by the coordinator; the job object's `tests` and `fmg show` give the counts and the failed
// tests; a file that is not JUnit XML fails the step saying why; a parallel job's next run
// splits its tests by the timings the last one reported.

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

TEST_CASE("e2e: circleci tests split --split-by=timings uses the last run's JUnit timings") {
    Cluster cluster;
    AgentOptions options = machine_agent_options();
    options.extra_args.insert(options.extra_args.end(), {"--capacity", "2"});
    cluster.start_runner("runner-1", options);
    GitRepo repo = cluster.make_repo();
    // A stand-in test runner: each file "takes" the seconds times.txt gives it, as its JUnit
    // report says. a 10 s, d 8 s, b and c 1 s: by timings node 0 runs a alone.
    for (const char* file : {"tests/a.py", "tests/b.py", "tests/c.py", "tests/d.py"}) {
        repo.write_file(file, "");
    }
    repo.write_file("times.txt", "tests/a.py 10\ntests/b.py 1\ntests/c.py 1\ntests/d.py 8\n");
    repo.write_config(R"yaml(version: 2.1
jobs:
  test:
    machine: true
    parallelism: 2
    steps:
      - checkout
      - run: |
          circleci tests glob "tests/*.py" | circleci tests split --split-by=timings > mine.txt
          echo "mine: $(tr '\n' ' ' < mine.txt)"
          mkdir -p results
          {
            echo '<testsuite name="t">'
            while read -r f; do
              echo "<testcase classname=\"t\" name=\"$f\" file=\"./$f\" time=\"$(grep "^$f " times.txt | cut -d' ' -f2)\"/>"
            done < mine.txt
            echo '</testsuite>'
          } > results/junit.xml
      - store_test_results: {path: results}
workflows:
  ci:
    jobs: [test]
)yaml");
    const std::string sha = repo.commit("Tests of different lengths");
    const int64_t first = cluster.push(repo, sha);
    const auto first_pipeline = cluster.wait_for_final(first);
    INFO("first: " << to_json(first_pipeline));
    REQUIRE(string_field(first_pipeline, "status") == "success");
    CHECK_THAT(cluster.job_log(first, "test[0]"),
               Catch::Contains("no timings of these names from an earlier run"));

    const int64_t second = cluster.push(repo, sha);
    const auto second_pipeline = cluster.wait_for_final(second);
    INFO("second: " << to_json(second_pipeline));
    REQUIRE(string_field(second_pipeline, "status") == "success");
    const std::string node0 = cluster.job_log(second, "test[0]");
    const std::string node1 = cluster.job_log(second, "test[1]");
    INFO("node 0:\n" << node0 << "\nnode 1:\n" << node1);
    CHECK_THAT(node0, Catch::Contains("mine: tests/a.py \n"));
    CHECK_THAT(node1, Catch::Contains("mine: tests/b.py tests/c.py tests/d.py \n"));
    CHECK_THAT(node0 + node1, !Catch::Contains("no timings"));
}
