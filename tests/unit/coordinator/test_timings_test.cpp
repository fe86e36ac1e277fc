// Test timings for `circleci tests split --split-by=timings` (domain/test_timings.h and
// test_results::latest_timings): summed per file and class, longest first, within the
// variable's size; taken from the newest earlier pipeline in which the same job, or its
// parallel nodes, reported tests.

#include "coordinator/domain/test_timings.h"

#include <catch2/catch.hpp>

#include "coordinator/store/test_result_store.h"
#include "store_fixture.h"

using namespace fmg;
using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;

namespace {

TestCase timed(const std::string& file, const std::string& classname, int64_t ms) {
    TestCase test;
    test.file = file;
    test.classname = classname;
    test.name = "t";
    test.duration_ms = ms;
    return test;
}

/// A pipeline of kRepo whose job `name` reported `cases`.
PipelineId pipeline_with(Store& store, const std::string& name, const std::vector<TestCase>& cases,
                         RunnerId runner) {
    const PipelineId pipeline = add_pipeline(store.db);
    const JobId job = add_job(store.db, pipeline, name, 0);
    const AttemptId attempt = start_job(store.db, job, runner, kT0);
    test_results::record(store.db, {attempt, 1, "junit.xml", std::string(64, 'a'), 10}, cases, kT0);
    return pipeline;
}

}  // namespace

TEST_CASE("test timings are summed per file and class, the longest first, within the limit") {
    const std::string value = test_timings_value({{"tests/a.py", "tests.a", 1000},
                                                  {"tests/a.py", "tests.a", 500},
                                                  {"tests/b.py", "tests.b", 3000},
                                                  {"", "com.C", 200},
                                                  {"bad\tname", "", 9999}});
    CHECK(value ==
          "file\ttests/b.py\t3000\nclassname\ttests.b\t3000\nfile\ttests/a.py\t1500\n"
          "classname\ttests.a\t1500\nclassname\tcom.C\t200\n");
    CHECK(test_timings_value({}).empty());
    // Cut at whole lines: only the longest fit.
    CHECK(test_timings_value({{"tests/b.py", "", 3000}, {"tests/a.py", "", 1000}}, 25) ==
          "file\ttests/b.py\t3000\n");
}

TEST_CASE("timings come from the newest earlier pipeline in which the job reported tests") {
    Store store;
    const RunnerId runner = add_runner(store.db, "r1");
    pipeline_with(store, "test[0]", {timed("old.py", "", 1)}, runner);
    const PipelineId newer = pipeline_with(store, "test[1]", {timed("new.py", "", 7)}, runner);
    pipeline_with(store, "lint", {timed("lint.py", "", 3)}, runner);     // another job
    pipeline_with(store, "test_x", {timed("other.py", "", 3)}, runner);  // only a prefix
    const PipelineId current = add_pipeline(store.db);

    auto timings = test_results::latest_timings(store.db, kRepo, "test", current);
    REQUIRE(timings.size() == 1);
    CHECK(timings[0].file == "new.py");
    CHECK(timings[0].duration_ms == 7);
    // Only pipelines before the one asking count; another repository's never do.
    CHECK(test_results::latest_timings(store.db, kRepo, "test", newer).at(0).file == "old.py");
    CHECK(test_results::latest_timings(store.db, "octo/other", "test", current).empty());
    CHECK(test_results::latest_timings(store.db, kRepo, "deploy", current).empty());
}
