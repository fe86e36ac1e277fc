#pragma once
// JUnit XML, the test report format `store_test_results` takes (docs/files.md), read with
// Poco's SAX parser (expat): <testsuites>/<testsuite> holding <testcase name classname time>
// elements, each passed, or holding <failure>/<error> (failed) or <skipped> (skipped). The
// dialects of JUnit, pytest, Maven Surefire, Go's go-junit-report and Jest all fit it.
// External entities are not loaded; expat refuses entity-expansion bombs.

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "shared/result.h"

namespace fmg::coordinator {

enum class TestStatus {
    passed,
    failed,   // <failure> or <error>
    skipped,  // <skipped>
};

struct TestCase {
    std::string file;  // the `file` attribute of the testcase, else of its testsuite; may be ""
    std::string classname;
    std::string name;
    TestStatus status = TestStatus::passed;
    std::string message;  // failed: the `message` attribute, else the first line of the text
    int64_t duration_ms = 0;
};

/// At most this many test cases are read from one file, and messages are cut to this many
/// bytes: a report cannot make the coordinator hold more than a few MiB.
inline constexpr size_t kMaxTestCasesPerFile = 100'000;
inline constexpr size_t kMaxTestMessageBytes = 1024;
/// A `time` over 30 days is no test's: it is read as 0, as a negative or unreadable one is.
inline constexpr int64_t kMaxTestDurationMs = int64_t{30} * 24 * 3600 * 1000;

/// The test cases of the JUnit XML document in `in`. Fails with the parser's reason and
/// position for a document that is not well-formed XML, or one that holds no <testcase> and
/// no <testsuite> (not JUnit).
Result<std::vector<TestCase>> parse_junit(std::istream& in);

std::string_view to_string(TestStatus status);

}  // namespace fmg::coordinator
