#pragma once
// What `circleci tests split --split-by=timings` splits by (docs/files.md): the durations the
// newest earlier run of the same job reported in its JUnit results, summed per file and per
// class, handed to the job in one variable of its environment that the agent's `circleci`
// helper reads (agent/circleci/split.h). An environment variable needs no new message and
// reaches docker and shell steps alike; the kernel takes one of at most 128 KiB, so the
// longest-running entries go first and the rest is left out (the helper gives a name it has
// no timing for the average).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fmg::coordinator {

/// The variable, and the most bytes it holds.
inline constexpr const char* kTestTimingsVariable = "FMG_TEST_TIMINGS";
inline constexpr size_t kMaxTestTimingsBytes = 100 * 1024;

/// One test case's duration, and where it came from.
struct TimedTest {
    std::string file;       // JUnit's `file`, may be empty
    std::string classname;  // JUnit's `classname`
    int64_t duration_ms = 0;
};

/// The variable's value: lines `file<TAB>NAME<TAB>MS` and `classname<TAB>NAME<TAB>MS`, the
/// durations summed per name, the longest first, at most `max_bytes`; names holding a tab,
/// a line break or NUL are left out. Empty when there is nothing to say.
std::string test_timings_value(const std::vector<TimedTest>& tests,
                               size_t max_bytes = kMaxTestTimingsBytes);

}  // namespace fmg::coordinator
