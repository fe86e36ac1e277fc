#include "coordinator/http/byte_range.h"

#include <charconv>

namespace fmg::coordinator::http {
namespace {

std::optional<uint64_t> number(std::string_view text) {
    if (text.empty() || text.size() > 19) return std::nullopt;
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

}  // namespace

RangeAsk read_range(std::string_view header, uint64_t size) {
    RangeAsk whole;
    header = trimmed(header);
    constexpr std::string_view kUnit = "bytes=";
    if (header.substr(0, kUnit.size()) != kUnit) return whole;
    std::string_view spec = trimmed(header.substr(kUnit.size()));
    if (spec.find(',') != std::string_view::npos) return whole;  // several ranges: ignored
    const size_t dash = spec.find('-');
    if (dash == std::string_view::npos) return whole;
    std::string_view first_text = trimmed(spec.substr(0, dash));
    std::string_view last_text = trimmed(spec.substr(dash + 1));
    RangeAsk ask;
    ask.kind = RangeAsk::Kind::partial;
    if (first_text.empty()) {  // the last N bytes
        auto suffix = number(last_text);
        if (!suffix) return whole;
        if (*suffix == 0 || size == 0) return {RangeAsk::Kind::unsatisfiable, {}};
        ask.range = {*suffix >= size ? 0 : size - *suffix, size - 1};
        return ask;
    }
    auto first = number(first_text);
    if (!first) return whole;
    std::optional<uint64_t> last = size == 0 ? 0 : size - 1;
    if (!last_text.empty()) {
        last = number(last_text);
        if (!last || *last < *first) return whole;  // invalid: ignored
    }
    if (*first >= size) return {RangeAsk::Kind::unsatisfiable, {}};
    ask.range = {*first, std::min(*last, size - 1)};
    return ask;
}

}  // namespace fmg::coordinator::http
