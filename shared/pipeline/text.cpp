#include "shared/pipeline/text.h"

#include <algorithm>
#include <cctype>

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

std::vector<std::string> listed_names(std::string_view list) {
    std::vector<std::string> names;
    std::string word;
    const auto flush = [&] {
        if (!word.empty() && word != "or" && word != "and") names.push_back(word);
        word.clear();
    };
    for (char c : list) {
        if (c == ',' || c == ' ' || c == '`') {
            flush();
        } else {
            word += c;
        }
    }
    flush();
    return names;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    const auto same = [](char x, char y) {
        const auto fold = [](char c) {
            return c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        };
        return fold(x) == fold(y);
    };
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = same(a[i - 1], b[j - 1]) ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1])) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.size()][b.size()];
}

namespace {

// Names longer than this are not compared: no key is, and the table grows with the square.
constexpr std::size_t kMaxComparedBytes = 64;

}  // namespace

std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates) {
    if (name.empty() || name.size() > kMaxComparedBytes) return "";
    const std::size_t allowed = std::max<std::size_t>(1, name.size() / 3);
    const std::string* best = nullptr;
    std::size_t best_distance = allowed + 1;
    for (const std::string& candidate : candidates) {
        if (candidate.size() > kMaxComparedBytes || candidate == name) continue;
        const std::size_t distance = edit_distance(name, candidate);
        if (distance < best_distance && distance < std::max(name.size(), candidate.size())) {
            best = &candidate;
            best_distance = distance;
        }
    }
    return best ? " (did you mean " + quoted(*best) + "?)" : "";
}

}  // namespace fmg::pipeline::detail
