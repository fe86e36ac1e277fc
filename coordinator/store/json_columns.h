#pragma once
// JSON arrays of strings in text columns (labels, requires), and JSON objects of strings
// (a pipeline's parameters).

#include <map>
#include <string>
#include <vector>

namespace fmg::coordinator {

std::string to_json_array(const std::vector<std::string>& items);
/// Parses a JSON array of strings; anything else gives an empty list.
std::vector<std::string> from_json_array(const std::string& json);

std::string to_json_object(const std::map<std::string, std::string>& entries);
/// Parses a JSON object whose values are strings; anything else gives an empty map.
std::map<std::string, std::string> from_json_object(const std::string& json);

}  // namespace fmg::coordinator
