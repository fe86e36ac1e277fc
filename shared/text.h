#pragma once
// Text helpers every component uses.

#include <string_view>

namespace fmg {

/// `text` without leading and trailing spaces, tabs, carriage returns and newlines.
constexpr std::string_view trim(std::string_view text) {
    constexpr std::string_view kBlanks = " \t\r\n";
    const auto begin = text.find_first_not_of(kBlanks);
    if (begin == std::string_view::npos) return {};
    const auto end = text.find_last_not_of(kBlanks);
    return text.substr(begin, end - begin + 1);
}

}  // namespace fmg
