// JUnit XML reports (files/junit.h) in the dialects of pytest, Maven Surefire and
// go-junit-report (tests/junit/), and documents that are not reports or are hostile.

#include "coordinator/files/junit.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

using namespace fmg;
using namespace fmg::coordinator;

namespace {

Result<std::vector<TestCase>> parse_file(const std::string& name) {
    std::ifstream in(std::string(FMG_SOURCE_DIR) + "/tests/junit/" + name, std::ios::binary);
    REQUIRE(in);
    return parse_junit(in);
}

Result<std::vector<TestCase>> parse_text(const std::string& text) {
    std::istringstream in(text);
    return parse_junit(in);
}

const TestCase& named(const std::vector<TestCase>& cases, const std::string& name) {
    for (const auto& test : cases) {
        if (test.name == name) return test;
    }
    FAIL("no test case " << name);
    return cases.front();
}

}  // namespace

TEST_CASE("pytest's report: passed, failed with its message, skipped, durations") {
    auto cases = parse_file("pytest.xml");
    INFO((cases ? std::string("parsed") : cases.error().message));
    REQUIRE(cases);
    REQUIRE(cases->size() == 4);
    const TestCase& divide = named(*cases, "test_divide");
    CHECK(divide.classname == "tests.test_math");
    CHECK(divide.status == TestStatus::failed);
    CHECK(divide.message == "ZeroDivisionError: division by zero");
    CHECK(divide.duration_ms == 2);
    CHECK(named(*cases, "test_slow").status == TestStatus::skipped);
    CHECK(named(*cases, "test_add").status == TestStatus::passed);
    CHECK(named(*cases, "test_unicode[héllo]").duration_ms == 13);
}

TEST_CASE("Surefire's report: a bare testsuite, failures and errors both failed") {
    auto cases = parse_file("surefire.xml");
    REQUIRE(cases);
    REQUIRE(cases->size() == 3);
    CHECK(named(*cases, "parsesNumber").message == "expected: <42> but was: <41>");
    CHECK(named(*cases, "opensFile").status == TestStatus::failed);
    CHECK(named(*cases, "opensFile").message == "/tmp/missing (No such file or directory)");
    CHECK(named(*cases, "returnsGreeting").status == TestStatus::passed);
}

TEST_CASE("go-junit-report's report: a failure's text stands in for a generic message") {
    auto cases = parse_file("go-junit-report.xml");
    REQUIRE(cases);
    REQUIRE(cases->size() == 2);
    CHECK(named(*cases, "TestDiv").status == TestStatus::failed);
    CHECK(named(*cases, "TestDiv").message == "Failed");
    auto bare = parse_text(
        "<testsuite><testcase name='t'><failure>\n  first line\nsecond</failure></testcase>"
        "</testsuite>");
    REQUIRE(bare);
    CHECK(bare->front().message == "first line");
}

TEST_CASE("what is not a report is refused with the parser's reason") {
    auto broken = parse_text("<testsuite><testcase name='a'></testsuite>");
    REQUIRE_FALSE(broken);
    CHECK_THAT(broken.error().message, Catch::StartsWith("not well-formed XML: "));
    auto html = parse_text("<html><body>hello</body></html>");
    REQUIRE_FALSE(html);
    CHECK(html.error().message == "not JUnit XML: no <testsuite> or <testcase> element");
    CHECK_FALSE(parse_text(""));
    auto empty_suite = parse_text("<testsuite name='none' tests='0'/>");
    REQUIRE(empty_suite);
    CHECK(empty_suite->empty());
}

TEST_CASE("hostile reports: entity bombs, external entities, huge messages, deep nesting") {
    // The billion laughs: expat refuses the amplification.
    std::string bomb = "<?xml version='1.0'?><!DOCTYPE l [<!ENTITY a 'aaaaaaaaaa'>";
    for (char c = 'b'; c <= 'j'; ++c) {
        std::string previous(1, static_cast<char>(c - 1));
        bomb += "<!ENTITY " + std::string(1, c) + " '";
        for (int i = 0; i < 10; ++i) bomb += "&" + previous + ";";
        bomb += "'>";
    }
    bomb += "]><testsuite><testcase name='x'><failure message='&j;'/></testcase></testsuite>";
    auto exploded = parse_text(bomb);
    REQUIRE_FALSE(exploded);
    CHECK_THAT(exploded.error().message, Catch::Contains("amplification"));
    // An external entity is not loaded: /etc/hostname never reaches a message.
    auto external = parse_text(
        "<?xml version='1.0'?><!DOCTYPE t [<!ENTITY x SYSTEM 'file:///etc/hostname'>]>"
        "<testsuite><testcase name='t'><failure>&x;</failure></testcase></testsuite>");
    REQUIRE_FALSE(external);
    CHECK_THAT(external.error().message, Catch::Contains("external entity"));
    std::string long_message(100'000, 'm');
    auto cut = parse_text("<testsuite><testcase name='t'><failure message='" + long_message +
                          "'/></testcase></testsuite>");
    REQUIRE(cut);
    CHECK(cut->front().message.size() == kMaxTestMessageBytes);
    std::string deep = "<testsuite>";
    for (int i = 0; i < 10'000; ++i) deep += "<x>";
    auto nested = parse_text(deep);
    CHECK_FALSE(nested);  // never closed: refused, without a crash
}

TEST_CASE("a test case's file is its own file attribute, else its suite's") {
    std::istringstream report(R"xml(<testsuites>
  <testsuite name="a" file="tests/test_a.py">
    <testcase classname="tests.test_a" name="one" time="1.5"/>
    <testcase classname="tests.test_a" name="two" file="tests/other.py" time="0.25"/>
  </testsuite>
  <testsuite name="b">
    <testcase classname="B" name="three" time="2"/>
  </testsuite>
</testsuites>)xml");
    auto cases = parse_junit(report);
    REQUIRE(cases.ok());
    REQUIRE(cases->size() == 3);
    CHECK((*cases)[0].file == "tests/test_a.py");
    CHECK((*cases)[0].duration_ms == 1500);
    CHECK((*cases)[1].file == "tests/other.py");
    CHECK((*cases)[2].file.empty());
}
