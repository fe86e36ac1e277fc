// The `parameters` of POST /api/v1/pipelines (http/pipeline_parameters.h) and their JSON
// column: what is kept, what is refused with a message saying why.

#include "coordinator/http/pipeline_parameters.h"

#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>
#include <string>

#include "coordinator/store/json_columns.h"

using namespace fmg::coordinator;
using namespace fmg::coordinator::http;

namespace {

Poco::JSON::Object::Ptr body_of(const std::string& json) {
    return Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
}

std::string refusal(const std::string& json) {
    auto parameters = read_pipeline_parameters(body_of(json));
    REQUIRE_FALSE(parameters.ok());
    return parameters.error().message;
}

}  // namespace

TEST_CASE("parameters are kept as text: strings, booleans and integers") {
    auto parameters = read_pipeline_parameters(body_of(
        R"({"repo_url": "u", "parameters": {"target": "a,b=c", "deploy": true, "off": false,)"
        R"( "retries": 3, "empty": ""}})"));
    REQUIRE(parameters.ok());
    CHECK(*parameters == std::map<std::string, std::string>{{"target", "a,b=c"},
                                                            {"deploy", "true"},
                                                            {"off", "false"},
                                                            {"retries", "3"},
                                                            {"empty", ""}});
    // None given, or null: none.
    CHECK(read_pipeline_parameters(body_of(R"({"repo_url": "u"})"))->empty());
    CHECK(read_pipeline_parameters(body_of(R"({"parameters": null})"))->empty());
}

TEST_CASE("parameters that are not an object of short scalar values are refused") {
    CHECK_THAT(refusal(R"({"parameters": ["a=1"]})"), Catch::Contains("must be an object"));
    CHECK_THAT(refusal(R"({"parameters": "a=1"})"), Catch::Contains("must be an object"));
    CHECK_THAT(refusal(R"({"parameters": {"a": [1]}})"),
               Catch::Contains("parameter 'a' must be a string, a boolean or an integer"));
    CHECK_THAT(refusal(R"({"parameters": {"a": {"b": 1}}})"), Catch::Contains("parameter 'a'"));
    CHECK_THAT(refusal(R"({"parameters": {"a": 1.5}})"), Catch::Contains("parameter 'a'"));
    CHECK_THAT(refusal(R"({"parameters": {"a": null}})"), Catch::Contains("parameter 'a'"));
    CHECK_THAT(refusal(R"({"parameters": {"": "x"}})"), Catch::Contains("may not be empty"));
    CHECK_THAT(refusal(R"({"parameters": {"a": "x\u0000y"}})"), Catch::Contains("NUL"));

    const std::string long_name(kMaxParameterNameBytes + 1, 'n');
    CHECK_THAT(refusal(R"({"parameters": {")" + long_name + R"(": "x"}})"),
               Catch::Contains("at most 128 bytes"));
    const std::string long_value(kMaxParameterValueBytes + 1, 'v');
    CHECK_THAT(refusal(R"({"parameters": {"a": ")" + long_value + R"("}})"),
               Catch::Contains("parameter 'a' is 8193 bytes; at most 8192 are allowed"));
    // Exactly at the limits is fine.
    const std::string name(kMaxParameterNameBytes, 'n');
    const std::string value(kMaxParameterValueBytes, 'v');
    CHECK(read_pipeline_parameters(
              body_of(R"({"parameters": {")" + name + R"(": ")" + value + R"("}})"))
              .ok());

    std::string many = R"({"parameters": {)";
    for (size_t i = 0; i <= kMaxPipelineParameters; ++i) {
        many += (i == 0 ? "" : ",") + std::string("\"p") + std::to_string(i) + "\": \"x\"";
    }
    CHECK_THAT(refusal(many + "}}"),
               Catch::Contains("at most 100 parameters may be given; got 101"));
}

TEST_CASE("a pipeline's parameters survive their JSON column, and a damaged one reads as none") {
    const std::map<std::string, std::string> parameters{
        {"target", "h\u00e9llo \"world\"\n"}, {"empty", ""}, {"comma", "a,b"}};
    CHECK(from_json_object(to_json_object(parameters)) == parameters);
    CHECK(to_json_object({}) == "{}");
    CHECK(from_json_object("{}").empty());
    for (const char* damaged : {"", "[]", "{", "{\"a\": 1}", "null"}) {
        CAPTURE(damaged);
        CHECK(from_json_object(damaged).empty());
    }
}
