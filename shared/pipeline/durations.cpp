#include "shared/pipeline/durations.h"

#include <string>

#include "shared/pipeline/text.h"

namespace fmg::pipeline {

namespace {

using detail::is_ascii_digit;

constexpr int64_t kMaxDurationMs = int64_t{366} * 24 * 3600 * 1000;
constexpr int kMaxFractionDigits = 9;  // finer than a millisecond of any unit

struct Unit {
    std::string_view suffix;
    int64_t ms;
};

// Longest suffix first, so "ms" is not read as "m" followed by garbage.
constexpr Unit kUnits[] = {{"ms", 1}, {"h", 3600 * 1000}, {"m", 60 * 1000}, {"s", 1000}};

Error invalid(std::string_view text, std::string_view why) {
    return Error{"invalid duration \"" + std::string(text.substr(0, 40)) +
                 "\": " + std::string(why) + " (write e.g. 30s, 10m, 1.5h or 1h30m)"};
}

}  // namespace

Result<int64_t> parse_duration_ms(std::string_view text) {
    if (text.empty()) return invalid(text, "it is empty");
    int64_t total_ms = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        int64_t whole = 0;
        const std::size_t whole_start = pos;
        while (pos < text.size() && is_ascii_digit(text[pos])) {
            whole = whole * 10 + (text[pos] - '0');
            if (whole > kMaxDurationMs) return invalid(text, "it is too large");
            ++pos;
        }
        bool has_digits = pos > whole_start;
        int64_t fraction = 0;
        int64_t fraction_scale = 1;
        if (pos < text.size() && text[pos] == '.') {
            ++pos;
            const std::size_t fraction_start = pos;
            while (pos < text.size() && is_ascii_digit(text[pos])) {
                if (pos - fraction_start < kMaxFractionDigits) {
                    fraction = fraction * 10 + (text[pos] - '0');
                    fraction_scale *= 10;
                }
                ++pos;
            }
            has_digits = has_digits || pos > fraction_start;
        }
        if (!has_digits) return invalid(text, "expected a number");
        const Unit* unit = nullptr;
        for (const Unit& candidate : kUnits) {
            if (text.substr(pos, candidate.suffix.size()) == candidate.suffix) {
                unit = &candidate;
                break;
            }
        }
        if (unit == nullptr) {
            return invalid(text, pos == text.size() ? "a number needs a unit (h, m, s or ms)"
                                                    : "unknown unit; use h, m, s or ms");
        }
        pos += unit->suffix.size();
        if (whole > kMaxDurationMs / unit->ms) return invalid(text, "it is too large");
        total_ms += whole * unit->ms + fraction * unit->ms / fraction_scale;
        if (total_ms > kMaxDurationMs) return invalid(text, "it is too large");
    }
    return total_ms;
}

}  // namespace fmg::pipeline
