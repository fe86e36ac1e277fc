#include "agent/docker/json.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/SharedPtr.h>

#include <sstream>

namespace fmg::agent::docker {
namespace {

Result<Poco::Dynamic::Var> parse(std::string_view text) {
    try {
        Poco::JSON::Parser parser;
        return parser.parse(std::string(text));
    } catch (const Poco::Exception& e) {
        return Error{"bad JSON from Docker: " + e.displayText()};
    }
}

}  // namespace

Result<Poco::JSON::Object::Ptr> parse_json_object(std::string_view text) {
    auto value = parse(text);
    if (!value) return value.error();
    if (value->type() != typeid(Poco::JSON::Object::Ptr)) {
        return Error{"bad JSON from Docker: expected an object"};
    }
    return value->extract<Poco::JSON::Object::Ptr>();
}

Result<Poco::JSON::Array::Ptr> parse_json_array(std::string_view text) {
    auto value = parse(text);
    if (!value) return value.error();
    if (value->type() != typeid(Poco::JSON::Array::Ptr)) {
        return Error{"bad JSON from Docker: expected an array"};
    }
    return value->extract<Poco::JSON::Array::Ptr>();
}

std::string to_json(const Poco::JSON::Object& object) {
    std::ostringstream out;
    object.stringify(out);
    return out.str();
}

Poco::JSON::Array::Ptr json_string_array(const std::vector<std::string>& values) {
    auto array = Poco::makeShared<Poco::JSON::Array>();
    for (const auto& value : values) array->add(value);
    return array;
}

Poco::JSON::Object::Ptr json_string_map(const std::map<std::string, std::string>& values) {
    auto object = Poco::makeShared<Poco::JSON::Object>();
    for (const auto& [key, value] : values) object->set(key, value);
    return object;
}

std::string string_member(const Poco::JSON::Object::Ptr& object, const std::string& key) {
    if (!object || !object->has(key)) return {};
    const Poco::Dynamic::Var& value = object->get(key);
    return value.isString() ? value.extract<std::string>() : std::string();
}

std::string docker_error_message(int status, std::string_view body) {
    auto object = parse_json_object(body);
    if (object) {
        std::string message = string_member(*object, "message");
        if (!message.empty()) return message;
    }
    std::string text(body);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return "HTTP " + std::to_string(status) + (text.empty() ? "" : ": " + text);
}

}  // namespace fmg::agent::docker
