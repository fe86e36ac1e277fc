#include "shared/pipeline/text.h"

namespace fmg::pipeline::detail {

namespace {

constexpr std::size_t kMaxQuotedBytes = 64;

bool is_utf8_continuation(char byte) {
    return (static_cast<unsigned char>(byte) & 0xC0) == 0x80;
}

}  // namespace

std::string truncate_utf8(std::string_view text, std::size_t max_bytes) {
    if (text.size() <= max_bytes) return std::string(text);
    std::size_t end = max_bytes;
    while (end > 0 && is_utf8_continuation(text[end])) --end;
    return std::string(text.substr(0, end));
}

std::string quoted(std::string_view text) {
    std::string shown = truncate_utf8(text, kMaxQuotedBytes);
    for (char& c : shown) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
    }
    if (shown.size() < text.size()) shown += "...";
    return "`" + shown + "`";
}

std::string first_line(std::string_view text) {
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view line = trim(text.substr(start, end - start));
        if (!line.empty()) return std::string(line);
        start = end + 1;
    }
    return {};
}

}  // namespace fmg::pipeline::detail
