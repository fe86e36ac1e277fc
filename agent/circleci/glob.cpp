#include "agent/circleci/glob.h"

#include <set>

namespace fmg::agent::circleci {
namespace {

constexpr std::string_view kMagic = "*?[";

// Where the `]` closing the bracket expression that opens at pattern[open] is, or npos when
// the `[` is an ordinary character.
size_t bracket_end(std::string_view pattern, size_t open) {
    size_t at = open + 1;
    if (at < pattern.size() && (pattern[at] == '!' || pattern[at] == '^')) ++at;
    if (at < pattern.size() && pattern[at] == ']') ++at;  // a leading `]` is a member
    for (; at < pattern.size(); ++at) {
        if (pattern[at] == '\\') {
            ++at;
        } else if (pattern[at] == ']') {
            return at;
        }
    }
    return std::string_view::npos;
}

// Whether `c` is in the set pattern[open..end] (end is its `]`).
bool bracket_matches(std::string_view pattern, size_t open, size_t end, char c) {
    size_t at = open + 1;
    bool negated = pattern[at] == '!' || pattern[at] == '^';
    if (negated) ++at;
    bool found = false;
    while (at < end) {
        char low = pattern[at];
        if (low == '\\' && at + 1 < end) low = pattern[++at];
        ++at;
        char high = low;
        // `a-z` is a range; a `-` last before `]` is itself.
        if (at + 1 < end && pattern[at] == '-') {
            high = pattern[at + 1];
            if (high == '\\' && at + 2 < end) {
                high = pattern[at + 2];
                ++at;
            }
            at += 2;
        }
        if (low <= c && c <= high) found = true;
    }
    return found != negated;
}

// Whether pattern[at] matches `c`, and how far the pattern item reaches (its length).
bool item_matches(std::string_view pattern, size_t at, char c, size_t& length) {
    char p = pattern[at];
    if (p == '?') {
        length = 1;
        return true;
    }
    if (p == '[') {
        size_t end = bracket_end(pattern, at);
        if (end != std::string_view::npos) {
            length = end - at + 1;
            return bracket_matches(pattern, at, end, c);
        }
    }
    if (p == '\\' && at + 1 < pattern.size()) {
        length = 2;
        return pattern[at + 1] == c;
    }
    length = 1;
    return p == c;
}

bool has_magic(std::string_view component) {
    for (size_t at = 0; at < component.size(); ++at) {
        if (component[at] == '\\') {
            ++at;
        } else if (kMagic.find(component[at]) != std::string_view::npos) {
            return true;
        }
    }
    return false;
}

std::string unescape(std::string_view component) {
    std::string plain;
    for (size_t at = 0; at < component.size(); ++at) {
        if (component[at] == '\\' && at + 1 < component.size()) ++at;
        plain += component[at];
    }
    return plain;
}

std::string join(const std::string& display, const std::string& name) {
    if (display.empty()) return name;
    if (display.back() == '/') return display + name;
    return display + "/" + name;
}

// One pattern, split into components, matched against the tree.
class Walk {
  public:
    Walk(std::vector<std::string> components, bool directories_only, std::set<std::string>& found)
        : components_(std::move(components)), directories_only_(directories_only), found_(found) {}

    // Matches components_[index...] under the directory `path`, shown as `display`.
    void match(const std::string& display, const std::filesystem::path& path, size_t index) {
        if (index == components_.size()) {
            add(display, path);
            return;
        }
        const std::string& component = components_[index];
        const bool last = index + 1 == components_.size();
        if (component == "**") {
            if (!last) match(display, path, index + 1);  // no directory at all
            for (const auto& [name, child, real_directory] : list(path)) {
                std::string shown = join(display, name);
                if (last) {
                    add(shown, child);
                } else {
                    match(shown, child, index + 1);
                }
                if (real_directory) match(shown, child, index);
            }
            return;
        }
        if (!has_magic(component)) {
            std::string name = unescape(component);
            std::filesystem::path child = path / name;
            std::error_code error;
            if (last) {
                if (std::filesystem::exists(std::filesystem::symlink_status(child, error))) {
                    add(join(display, name), child);
                }
            } else if (std::filesystem::is_directory(child, error)) {
                match(join(display, name), child, index + 1);
            }
            return;
        }
        for (const auto& [name, child, real_directory] : list(path)) {
            if (!match_component(component, name)) continue;
            std::error_code error;
            if (last) {
                add(join(display, name), child);
            } else if (std::filesystem::is_directory(child, error)) {
                match(join(display, name), child, index + 1);
            }
        }
    }

  private:
    struct Entry {
        std::string name;
        std::filesystem::path path;
        bool real_directory;  // a directory, not a link to one
    };

    static std::vector<Entry> list(const std::filesystem::path& directory) {
        std::vector<Entry> entries;
        std::error_code error;
        std::filesystem::directory_iterator it(
            directory, std::filesystem::directory_options::skip_permission_denied, error);
        for (std::filesystem::directory_iterator end; !error && it != end; it.increment(error)) {
            std::error_code type_error;
            bool real_directory = it->is_directory(type_error) && !it->is_symlink(type_error);
            entries.push_back({it->path().filename().string(), it->path(), real_directory});
        }
        return entries;
    }

    void add(const std::string& display, const std::filesystem::path& path) {
        if (display.empty()) return;
        std::error_code error;
        if (directories_only_ && !std::filesystem::is_directory(path, error)) return;
        found_.insert(display);
    }

    std::vector<std::string> components_;
    bool directories_only_;
    std::set<std::string>& found_;
};

}  // namespace

std::optional<std::vector<std::string>> expand_braces(std::string_view pattern) {
    for (size_t open = 0; open < pattern.size(); ++open) {
        if (pattern[open] == '\\') {
            ++open;
            continue;
        }
        if (pattern[open] != '{') continue;
        std::vector<size_t> separators;  // the top-level commas, then the closing brace
        int depth = 0;
        for (size_t at = open + 1; at < pattern.size(); ++at) {
            char c = pattern[at];
            if (c == '\\') {
                ++at;
            } else if (c == '{') {
                ++depth;
            } else if (c == ',' && depth == 0) {
                separators.push_back(at);
            } else if (c == '}' && depth-- == 0) {
                separators.push_back(at);
                break;
            }
        }
        if (separators.empty() || pattern[separators.back()] != '}') continue;  // no `}`
        const std::string_view prefix = pattern.substr(0, open);
        const std::string_view suffix = pattern.substr(separators.back() + 1);
        std::vector<std::string> expanded;
        size_t start = open + 1;
        for (size_t separator : separators) {
            std::string alternative(prefix);
            alternative.append(pattern.substr(start, separator - start)).append(suffix);
            auto more = expand_braces(alternative);
            if (!more || expanded.size() + more->size() > kMaxExpandedPatterns) return std::nullopt;
            expanded.insert(expanded.end(), more->begin(), more->end());
            start = separator + 1;
        }
        return expanded;
    }
    return std::vector<std::string>{std::string(pattern)};
}

bool match_component(std::string_view pattern, std::string_view name) {
    size_t p = 0;
    size_t n = 0;
    size_t star = std::string_view::npos;  // the pattern position after the last `*`
    size_t star_name = 0;                  // where in the name that `*` stopped so far
    while (n < name.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = ++p;
            star_name = n;
            continue;
        }
        size_t length = 0;
        if (p < pattern.size() && item_matches(pattern, p, name[n], length)) {
            p += length;
            ++n;
            continue;
        }
        if (star == std::string_view::npos) return false;
        p = star;  // let the last `*` take one more character
        n = ++star_name;
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

std::vector<std::string> glob_paths(const std::vector<std::string>& patterns,
                                    const std::filesystem::path& base) {
    std::set<std::string> found;
    for (const auto& pattern : patterns) {
        if (pattern.empty()) continue;
        std::vector<std::string> components;
        for (size_t start = 0; start <= pattern.size();) {
            size_t slash = pattern.find('/', start);
            if (slash == std::string::npos) slash = pattern.size();
            if (slash > start) components.push_back(pattern.substr(start, slash - start));
            start = slash + 1;
        }
        const bool absolute = pattern.front() == '/';
        const bool directories_only = pattern.back() == '/';
        Walk walk(std::move(components), directories_only, found);
        walk.match(absolute ? "/" : "", absolute ? std::filesystem::path("/") : base, 0);
    }
    return {found.begin(), found.end()};
}

}  // namespace fmg::agent::circleci
