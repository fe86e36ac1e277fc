#include "shared/host_names.h"

#include <algorithm>
#include <cctype>

namespace fmg {
namespace {

bool is_host_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-';
}

// Quoted for a message, with anything unprintable shown as '?', so an error never echoes a
// newline or an escape sequence to a terminal or a log.
std::string quoted(std::string_view text) {
    std::string out = "'";
    for (char c : text.substr(0, kMaxHostNameLength)) {
        out += std::isprint(static_cast<unsigned char>(c)) != 0 ? c : '?';
    }
    return out + (text.size() > kMaxHostNameLength ? "...'" : "'");
}

}  // namespace

std::optional<std::string> host_name_problem(std::string_view name) {
    const std::string what = "host name " + quoted(name);
    if (name.empty()) return std::string("host name is empty");
    if (name.size() > kMaxHostNameLength) {
        return what + " is longer than " + std::to_string(kMaxHostNameLength) + " characters";
    }
    size_t start = 0;
    while (true) {
        const size_t dot = name.find('.', start);
        const auto part = name.substr(start, dot == std::string_view::npos ? dot : dot - start);
        if (part.empty() || part.size() > kMaxHostNamePartLength) {
            return what + ": each dot-separated part must have 1 to " +
                   std::to_string(kMaxHostNamePartLength) + " characters";
        }
        if (!std::all_of(part.begin(), part.end(), is_host_char)) {
            return what + " may hold only letters, digits, '-' and '.'";
        }
        if (part.front() == '-' || part.back() == '-') {
            return what + ": a part may not start or end with '-'";
        }
        if (dot == std::string_view::npos) return std::nullopt;
        start = dot + 1;
    }
}

std::optional<std::string> runner_label_problem(std::string_view label) {
    const std::string what = "label " + quoted(label);
    if (label.empty()) return std::string("a label is empty");
    if (label.size() > kMaxHostNamePartLength) {
        return what + " is longer than " + std::to_string(kMaxHostNamePartLength) + " characters";
    }
    if (!std::all_of(label.begin(), label.end(),
                     [](char c) { return is_host_char(c) || c == '.' || c == '_' || c == '/'; })) {
        return what + " may hold only letters, digits, '-', '_', '.' and '/'";
    }
    if (std::string_view("-./").find(label.front()) != std::string_view::npos ||
        std::string_view("-./").find(label.back()) != std::string_view::npos) {
        return what + " may not start or end with '-', '.' or '/'";
    }
    return std::nullopt;
}

std::vector<std::string> split_runner_labels(std::string_view text) {
    std::vector<std::string> labels;
    if (text.empty()) return labels;
    size_t start = 0;
    while (start <= text.size()) {
        const size_t comma = std::min(text.find(',', start), text.size());
        labels.emplace_back(text.substr(start, comma - start));
        start = comma + 1;
    }
    return labels;
}

std::optional<std::string> runner_labels_problem(std::string_view text) {
    const auto labels = split_runner_labels(text);
    if (labels.size() > kMaxRunnerLabels) {
        return "at most " + std::to_string(kMaxRunnerLabels) + " labels";
    }
    for (const std::string& label : labels) {
        if (auto bad = runner_label_problem(label)) {
            return *bad + " (expected labels separated by commas, e.g. docker,arm64)";
        }
    }
    return std::nullopt;
}

}  // namespace fmg
