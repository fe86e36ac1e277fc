#pragma once
// Small helpers over Poco::JSON for the Docker Engine API's bodies: parsing that reports
// errors as values, and Docker's {"message": "..."} error bodies.

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "shared/result.h"

namespace fmg::agent::docker {

/// Parses `text` as a JSON object. Fails with the parser's message.
Result<Poco::JSON::Object::Ptr> parse_json_object(std::string_view text);

/// Parses `text` as a JSON array. Fails with the parser's message.
Result<Poco::JSON::Array::Ptr> parse_json_array(std::string_view text);

/// Serialises a JSON object compactly.
std::string to_json(const Poco::JSON::Object& object);

/// A JSON array of strings.
Poco::JSON::Array::Ptr json_string_array(const std::vector<std::string>& values);

/// A JSON object of string values.
Poco::JSON::Object::Ptr json_string_map(const std::map<std::string, std::string>& values);

/// The string member `key` of `object`, or "" when absent or not a string.
std::string string_member(const Poco::JSON::Object::Ptr& object, const std::string& key);

/// Docker's explanation from an error response body (its "message"), or the body itself
/// when it is not Docker's JSON, prefixed with the HTTP status when there is no message.
std::string docker_error_message(int status, std::string_view body);

}  // namespace fmg::agent::docker
