#include "coordinator/files/junit.h"

#include <Poco/Exception.h>
#include <Poco/SAX/Attributes.h>
#include <Poco/SAX/DefaultHandler.h>
#include <Poco/SAX/InputSource.h>
#include <Poco/SAX/SAXException.h>
#include <Poco/SAX/SAXParser.h>

#include <cmath>

namespace fmg::coordinator {
namespace {

std::string cut(std::string text) {
    if (text.size() > kMaxTestMessageBytes) text.resize(kMaxTestMessageBytes);
    return text;
}

std::string first_line(const std::string& text) {
    size_t start = text.find_first_not_of(" \t\r\n");
    if (start == std::string::npos) return "";
    size_t end = text.find_first_of("\r\n", start);
    return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

int64_t milliseconds(const std::string& seconds) {
    try {
        size_t used = 0;
        double value = std::stod(seconds, &used);
        // Bounded before rounding (tests/fuzz/regressions/junit_time_overflow.xml): llround
        // of a time past int64 milliseconds (1e16) gave INT64_MIN, and times that fit could
        // sum past it in test_timings_value (a signed overflow).
        if (used == 0 || !std::isfinite(value) || value < 0 ||
            value * 1000.0 > static_cast<double>(kMaxTestDurationMs)) {
            return 0;
        }
        return static_cast<int64_t>(std::llround(value * 1000.0));
    } catch (const std::exception&) {
        return 0;  // `time` is optional and free text in some dialects
    }
}

class JunitHandler final : public Poco::XML::DefaultHandler {
  public:
    std::vector<TestCase> cases;
    bool saw_suite = false;

    void startElement(const Poco::XML::XMLString&, const Poco::XML::XMLString& local,
                      const Poco::XML::XMLString& qname,
                      const Poco::XML::Attributes& attributes) override {
        const std::string& tag = local.empty() ? qname : local;
        if (tag == "testsuite" || tag == "testsuites") saw_suite = true;
        if (tag == "testsuite") suite_file_ = cut(attributes.getValue("file"));
        if (tag == "testcase") {
            if (cases.size() >= kMaxTestCasesPerFile) {
                throw Poco::RangeException("more than " + std::to_string(kMaxTestCasesPerFile) +
                                           " test cases in one file");
            }
            in_case_ = true;
            current_ = TestCase{};
            current_.name = cut(attributes.getValue("name"));
            current_.classname = cut(attributes.getValue("classname"));
            current_.file = cut(attributes.getValue("file"));
            if (current_.file.empty()) current_.file = suite_file_;
            current_.duration_ms = milliseconds(attributes.getValue("time"));
            return;
        }
        if (!in_case_) return;
        if (tag == "failure" || tag == "error") {
            current_.status = TestStatus::failed;
            current_.message = cut(attributes.getValue("message"));
            collecting_ = current_.message.empty();
            text_.clear();
        } else if (tag == "skipped" && current_.status == TestStatus::passed) {
            current_.status = TestStatus::skipped;
            current_.message = cut(attributes.getValue("message"));
        }
    }

    void endElement(const Poco::XML::XMLString&, const Poco::XML::XMLString& local,
                    const Poco::XML::XMLString& qname) override {
        const std::string& tag = local.empty() ? qname : local;
        if ((tag == "failure" || tag == "error") && collecting_) {
            current_.message = cut(first_line(text_));
            collecting_ = false;
        }
        if (tag == "testcase" && in_case_) {
            cases.push_back(std::move(current_));
            in_case_ = false;
        }
    }

    void characters(const Poco::XML::XMLChar ch[], int start, int length) override {
        if (collecting_ && text_.size() < 4 * kMaxTestMessageBytes) {
            text_.append(ch + start, static_cast<size_t>(length));
        }
    }

  private:
    bool in_case_ = false;
    bool collecting_ = false;
    TestCase current_;
    std::string text_;
    std::string suite_file_;  // the `file` of the testsuite being read
};

}  // namespace

std::string_view to_string(TestStatus status) {
    switch (status) {
        case TestStatus::passed:
            return "passed";
        case TestStatus::failed:
            return "failed";
        case TestStatus::skipped:
            return "skipped";
    }
    return "passed";
}

Result<std::vector<TestCase>> parse_junit(std::istream& in) {
    JunitHandler handler;
    Poco::XML::SAXParser parser;
    parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_GENERAL_ENTITIES, false);
    parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_PARAMETER_ENTITIES, false);
    parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACES, false);
    parser.setContentHandler(&handler);
    try {
        Poco::XML::InputSource source(in);
        parser.parse(&source);
    } catch (const Poco::Exception& e) {
        return Error{"not well-formed XML: " + e.displayText()};
    }
    if (!handler.saw_suite && handler.cases.empty()) {
        return Error{"not JUnit XML: no <testsuite> or <testcase> element"};
    }
    return std::move(handler.cases);
}

}  // namespace fmg::coordinator
