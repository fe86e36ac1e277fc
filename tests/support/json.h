#pragma once
// Reading JSON answers in tests: every accessor fails the test with the document when the
// field is missing or of the wrong type, so a broken answer reads as a clear failure.

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fmg::testing {

/// Parses a JSON object; fails the test (quoting the text) when it is not one.
Poco::JSON::Object::Ptr parse_object(const std::string& text);
/// Parses a JSON array; fails the test (quoting the text) when it is not one.
Poco::JSON::Array::Ptr parse_array(const std::string& text);

/// The object serialized back to compact JSON, for messages.
std::string to_json(const Poco::JSON::Object::Ptr& object);

/// A string field; fails the test when missing, null or not a string.
std::string string_field(const Poco::JSON::Object::Ptr& object, const std::string& key);
/// A string field, or nullopt when it is null or missing; fails when it is another type.
std::optional<std::string> optional_string(const Poco::JSON::Object::Ptr& object,
                                           const std::string& key);
/// An integer field; fails the test when missing or not an integer.
int64_t int_field(const Poco::JSON::Object::Ptr& object, const std::string& key);
/// An integer field, or nullopt when null or missing.
std::optional<int64_t> optional_int(const Poco::JSON::Object::Ptr& object, const std::string& key);
/// An array field; fails the test when missing or not an array.
Poco::JSON::Array::Ptr array_field(const Poco::JSON::Object::Ptr& object, const std::string& key);
/// An array of strings as a vector; fails when an element is not a string.
std::vector<std::string> string_array(const Poco::JSON::Object::Ptr& object,
                                      const std::string& key);
/// The objects of an array field.
std::vector<Poco::JSON::Object::Ptr> object_array(const Poco::JSON::Object::Ptr& object,
                                                  const std::string& key);
/// The element of an array field whose "name" is `name`; fails the test when there is none.
Poco::JSON::Object::Ptr find_named(const Poco::JSON::Object::Ptr& object, const std::string& key,
                                   const std::string& name);
/// The runner the latest attempt of job `job` of the pipeline object ran on; "" when it has no
/// attempt or its attempt no runner.
std::string last_runner_of(const Poco::JSON::Object::Ptr& pipeline, const std::string& job);

}  // namespace fmg::testing
