// A test case's `time` in a JUnit report: read as milliseconds, and a time no test takes is
// read as 0, so no report can make a duration negative or the sums of test_timings_value
// overflow (the input of tests/fuzz/regressions/junit_time_overflow.xml).

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "coordinator/domain/test_timings.h"
#include "coordinator/files/junit.h"

using namespace fmg;
using namespace fmg::coordinator;

namespace {

int64_t duration_of(const std::string& time) {
    std::istringstream report("<testsuite><testcase name='t' time='" + time + "'/></testsuite>");
    auto cases = parse_junit(report);
    REQUIRE(cases);
    REQUIRE(cases->size() == 1);
    return cases->front().duration_ms;
}

}  // namespace

TEST_CASE("a time past int64 milliseconds is read as 0, not as a negative duration") {
    // The fuzzer's input: `time="01e308.010"` came back as INT64_MIN milliseconds.
    std::ifstream in(
        std::string(FMG_SOURCE_DIR) + "/tests/fuzz/regressions/junit_time_overflow.xml",
        std::ios::binary);
    REQUIRE(in.is_open());
    auto cases = parse_junit(in);
    REQUIRE(cases);
    REQUIRE(cases->size() == 1);
    CHECK(cases->front().duration_ms == 0);
    CHECK(cases->front().status == TestStatus::failed);  // the rest of the case is read
    CHECK(duration_of("1e16") == 0);
}

TEST_CASE("times that fit in int64 milliseconds cannot overflow their sums") {
    // 9e15 s fit (9e18 ms), but two of them summed past int64 in test_timings_value.
    const int64_t huge = duration_of("9e15");
    CHECK(huge == 0);
    const std::vector<TimedTest> timed = {{"f", "c", huge}, {"f", "c", huge}};
    CHECK(test_timings_value(timed) == "file\tf\t0\nclassname\tc\t0\n");
}

TEST_CASE("a test case's time is kept up to 30 days") {
    CHECK(duration_of("2592000") == kMaxTestDurationMs);
    CHECK(duration_of("2592000.001") == 0);
    CHECK(duration_of("1e300") == 0);
    CHECK(duration_of("0.0125") == 13);
    CHECK(duration_of("-1") == 0);
}
