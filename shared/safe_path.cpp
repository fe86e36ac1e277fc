#include "shared/safe_path.h"

#include <vector>

namespace fmg {

std::optional<std::string> unsafe_path_reason(std::string_view path) {
    if (path.empty()) return "it is empty";
    if (path.front() == '/') return "it is absolute";
    for (char c : path) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            return "it holds a control character";
        }
    }
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        std::string_view part = path.substr(start, end - start);
        if (part.empty()) return "it has an empty part ('//' or a trailing '/')";
        if (part == ".") return "it has a '.' part";
        if (part == "..") return "it goes up a directory ('..')";
        start = end + 1;
    }
    return std::nullopt;
}

std::string tidy_path(std::string_view path) {
    std::string tidy = !path.empty() && path.front() == '/' ? "/" : "";
    size_t start = 0;
    while (start < path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        std::string_view part = path.substr(start, end - start);
        if (!part.empty() && part != ".") {
            if (!tidy.empty() && tidy.back() != '/') tidy += '/';
            tidy += part;
        }
        start = end + 1;
    }
    return tidy;
}

}  // namespace fmg
