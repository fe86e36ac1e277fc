#include "tests/support/json.h"

#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>
#include <sstream>

namespace fmg::testing {
namespace {

Poco::Dynamic::Var parse(const std::string& text) {
    try {
        Poco::JSON::Parser parser;
        return parser.parse(text);
    } catch (const Poco::Exception& error) {
        FAIL("not JSON (" << error.displayText() << "): " << text);
    }
    return {};
}

Poco::Dynamic::Var field(const Poco::JSON::Object::Ptr& object, const std::string& key) {
    REQUIRE(object);
    if (!object->has(key)) FAIL("no field \"" << key << "\" in " << to_json(object));
    return object->get(key);
}

}  // namespace

Poco::JSON::Object::Ptr parse_object(const std::string& text) {
    const Poco::Dynamic::Var value = parse(text);
    if (value.type() != typeid(Poco::JSON::Object::Ptr)) FAIL("not a JSON object: " << text);
    return value.extract<Poco::JSON::Object::Ptr>();
}

Poco::JSON::Array::Ptr parse_array(const std::string& text) {
    const Poco::Dynamic::Var value = parse(text);
    if (value.type() != typeid(Poco::JSON::Array::Ptr)) FAIL("not a JSON array: " << text);
    return value.extract<Poco::JSON::Array::Ptr>();
}

std::string to_json(const Poco::JSON::Object::Ptr& object) {
    if (!object) return "null";
    std::ostringstream out;
    object->stringify(out);
    return out.str();
}

std::string string_field(const Poco::JSON::Object::Ptr& object, const std::string& key) {
    const Poco::Dynamic::Var value = field(object, key);
    if (!value.isString()) FAIL("field \"" << key << "\" is not a string in " << to_json(object));
    return value.extract<std::string>();
}

std::optional<std::string> optional_string(const Poco::JSON::Object::Ptr& object,
                                           const std::string& key) {
    REQUIRE(object);
    if (!object->has(key) || object->isNull(key)) return std::nullopt;
    return string_field(object, key);
}

int64_t int_field(const Poco::JSON::Object::Ptr& object, const std::string& key) {
    const Poco::Dynamic::Var value = field(object, key);
    if (!value.isInteger())
        FAIL("field \"" << key << "\" is not an integer in " << to_json(object));
    return value.convert<int64_t>();
}

std::optional<int64_t> optional_int(const Poco::JSON::Object::Ptr& object, const std::string& key) {
    REQUIRE(object);
    if (!object->has(key) || object->isNull(key)) return std::nullopt;
    return int_field(object, key);
}

Poco::JSON::Array::Ptr array_field(const Poco::JSON::Object::Ptr& object, const std::string& key) {
    field(object, key);
    Poco::JSON::Array::Ptr array = object->getArray(key);
    if (!array) FAIL("field \"" << key << "\" is not an array in " << to_json(object));
    return array;
}

std::vector<std::string> string_array(const Poco::JSON::Object::Ptr& object,
                                      const std::string& key) {
    std::vector<std::string> result;
    const Poco::JSON::Array::Ptr array = array_field(object, key);
    for (size_t i = 0; i < array->size(); ++i) {
        const Poco::Dynamic::Var element = array->get(static_cast<unsigned>(i));
        if (!element.isString()) FAIL("\"" << key << "\" has a non-string in " << to_json(object));
        result.push_back(element.extract<std::string>());
    }
    return result;
}

std::vector<Poco::JSON::Object::Ptr> object_array(const Poco::JSON::Object::Ptr& object,
                                                  const std::string& key) {
    std::vector<Poco::JSON::Object::Ptr> result;
    const Poco::JSON::Array::Ptr array = array_field(object, key);
    for (size_t i = 0; i < array->size(); ++i) {
        Poco::JSON::Object::Ptr element = array->getObject(static_cast<unsigned>(i));
        if (!element) FAIL("\"" << key << "\" has a non-object in " << to_json(object));
        result.push_back(element);
    }
    return result;
}

Poco::JSON::Object::Ptr find_named(const Poco::JSON::Object::Ptr& object, const std::string& key,
                                   const std::string& name) {
    for (const auto& element : object_array(object, key)) {
        if (optional_string(element, "name") == name) return element;
    }
    FAIL("no element named \"" << name << "\" in \"" << key << "\" of " << to_json(object));
    return nullptr;
}

std::string last_runner_of(const Poco::JSON::Object::Ptr& pipeline, const std::string& job) {
    const auto attempts = object_array(find_named(pipeline, "jobs", job), "attempts");
    return attempts.empty() ? "" : optional_string(attempts.back(), "runner").value_or("");
}

}  // namespace fmg::testing
