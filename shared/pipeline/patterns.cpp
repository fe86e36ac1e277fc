#include "shared/pipeline/patterns.h"

#include <algorithm>
#include <vector>

#include "shared/pipeline/constants.h"
#include "shared/pipeline/text.h"

namespace fmg::pipeline::detail {

namespace {

constexpr std::size_t kSaturated = 1'000'000'000;

std::size_t saturating_add(std::size_t a, std::size_t b) {
    return std::min(kSaturated, a + b);
}

std::size_t saturating_multiply(std::size_t a, std::size_t b) {
    if (a == 0 || b == 0) return 0;
    return a > kSaturated / b ? kSaturated : a * b;
}

// Reads `{n}`, `{n,}` or `{n,m}` at `pos`; on success moves `pos` past it and returns the
// larger count (what std::regex copies the repeated part for).
std::optional<std::size_t> read_brace_repeat(std::string_view pattern, std::size_t& pos) {
    std::size_t i = pos + 1;
    std::size_t largest = 0;
    std::size_t current = 0;
    bool digits = false;
    for (; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (is_ascii_digit(c)) {
            current = saturating_add(saturating_multiply(current, 10), std::size_t(c - '0'));
            digits = true;
        } else if (c == ',' || c == '}') {
            largest = std::max(largest, current);
            current = 0;
            if (c == '}') break;
        } else {
            return std::nullopt;
        }
    }
    if (!digits || i >= pattern.size()) return std::nullopt;
    pos = i;
    return std::max<std::size_t>(largest, 1);
}

// Past a bracket expression starting at `pos` (`[`): at its closing `]`.
std::size_t skip_bracket(std::string_view pattern, std::size_t pos) {
    std::size_t i = pos + 1;
    if (i < pattern.size() && pattern[i] == '^') ++i;
    if (i < pattern.size() && pattern[i] == ']') ++i;
    for (; i < pattern.size() && pattern[i] != ']'; ++i) {
        if (pattern[i] == '\\') ++i;
    }
    return std::min(i, pattern.size());
}

}  // namespace

std::size_t estimate_regex_states(std::string_view pattern) {
    struct Level {
        std::size_t total = 0;
        std::size_t last_atom = 0;
    };
    std::vector<Level> levels(1);
    const auto atom = [&](std::size_t states) {
        levels.back().total = saturating_add(levels.back().total, states);
        levels.back().last_atom = states;
    };
    for (std::size_t pos = 0; pos < pattern.size(); ++pos) {
        const char c = pattern[pos];
        if (c == '\\') {
            ++pos;
            atom(1);
        } else if (c == '[') {
            pos = skip_bracket(pattern, pos);
            atom(1);
        } else if (c == '(') {
            levels.emplace_back();
        } else if (c == ')' && levels.size() > 1) {
            const std::size_t group = levels.back().total;
            levels.pop_back();
            atom(saturating_add(group, 2));
        } else if (c == '{') {
            if (auto copies = read_brace_repeat(pattern, pos)) {
                Level& level = levels.back();
                const std::size_t extra = saturating_multiply(level.last_atom, *copies - 1);
                level.total = saturating_add(saturating_add(level.total, extra), 2);
                level.last_atom = saturating_multiply(level.last_atom, *copies);
            } else {
                atom(1);
            }
        } else if (c == '*' || c == '+' || c == '?' || c == '|') {
            levels.back().total = saturating_add(levels.back().total, 2);
            if (c == '|') levels.back().last_atom = 0;
        } else {
            atom(1);
        }
    }
    std::size_t total = 0;
    for (const Level& level : levels) total = saturating_add(total, level.total);
    return total;
}

Result<NamePattern> NamePattern::parse(std::string_view text, std::size_t& states) {
    NamePattern pattern;
    states = 0;
    if (text.size() < 3 || text.front() != '/' || text.back() != '/') {
        pattern.exact_ = std::string(text);
        return pattern;
    }
    const std::string_view body = text.substr(1, text.size() - 2);
    if (body.size() > kMaxFilterRegexLength) {
        return Error{"regular expression longer than " + std::to_string(kMaxFilterRegexLength) +
                     " characters"};
    }
    states = estimate_regex_states(body);
    if (states > kMaxRegexStates) {
        return Error{"regular expression too complex (repeats expand to about " +
                     std::to_string(states) + " states; at most " +
                     std::to_string(kMaxRegexStates) + ")"};
    }
    auto flags = std::regex::ECMAScript;
#ifdef __GLIBCXX__
    // libstdc++'s breadth-first matcher: polynomial time, no backtracking blow-up.
    flags |= std::regex_constants::__polynomial;
#endif
    try {
        pattern.regex_.emplace(body.begin(), body.end(), flags);
    } catch (const std::regex_error& error) {
        return Error{"invalid regular expression " + std::string(text) + ": " + error.what()};
    }
    return pattern;
}

bool NamePattern::matches(std::string_view name) const {
    if (!regex_) return name == exact_;
    return std::regex_match(name.begin(), name.end(), *regex_);
}

}  // namespace fmg::pipeline::detail
