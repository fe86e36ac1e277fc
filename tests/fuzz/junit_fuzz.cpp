// libFuzzer target for the JUnit XML reader (coordinator/files/junit.h): any bytes an agent
// uploads as a test report must come back as test cases or an error (never a crash, hang,
// leak or exception: the coordinator's agent loop reads reports in its own thread), and the
// test cases must stay within the bounds the header promises.
// Seeds: tests/fuzz/corpus/junit_fuzz (the reports of tests/junit).

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "coordinator/files/junit.h"

namespace {

using fmg::coordinator::kMaxTestCasesPerFile;
using fmg::coordinator::kMaxTestDurationMs;
using fmg::coordinator::kMaxTestMessageBytes;
using fmg::coordinator::TestCase;
using fmg::coordinator::TestStatus;

void check_case(const TestCase& test) {
    // Every text a report gives is cut, so a report cannot make the coordinator hold much.
    for (const std::string* text : {&test.file, &test.classname, &test.name, &test.message}) {
        if (text->size() > kMaxTestMessageBytes) __builtin_trap();
    }
    // Only a failure or a skip has a message. A time is never negative, nor so long that
    // summing a job's times (test_timings_value) could overflow.
    if (test.status == TestStatus::passed && !test.message.empty()) __builtin_trap();
    if (test.duration_ms < 0 || test.duration_ms > kMaxTestDurationMs) __builtin_trap();
}

bool starts_with(const std::string& text, const std::string& prefix) {
    return text.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::istringstream report(std::string(reinterpret_cast<const char*>(data), size));
    const auto cases = fmg::coordinator::parse_junit(report);
    if (!cases) {
        // The step's error says which of the two it is, and the parser's reason.
        const std::string& message = cases.error().message;
        const std::string malformed = "not well-formed XML: ";
        if (starts_with(message, malformed) ? message.size() == malformed.size()
                                            : !starts_with(message, "not JUnit XML")) {
            __builtin_trap();
        }
        return 0;
    }
    if (cases->size() > kMaxTestCasesPerFile) __builtin_trap();
    for (const TestCase& test : *cases) check_case(test);
    return 0;
}
