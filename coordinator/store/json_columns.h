#pragma once
// JSON arrays of strings in text columns (labels, requires).

#include <string>
#include <vector>

namespace fmg::coordinator {

std::string to_json_array(const std::vector<std::string>& items);
/// Parses a JSON array of strings; anything else gives an empty list.
std::vector<std::string> from_json_array(const std::string& json);

}  // namespace fmg::coordinator
