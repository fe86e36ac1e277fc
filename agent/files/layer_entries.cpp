#include "agent/files/layer_entries.h"

#include <fnmatch.h>

#include <vector>

#include "shared/safe_path.h"

namespace fmg::agent {
namespace {

std::vector<std::string> parts_of(std::string_view path) {
    std::vector<std::string> parts;
    for (const std::string& part : {tidy_path(path)}) {
        size_t start = 0;
        while (start < part.size()) {
            size_t slash = part.find('/', start);
            if (slash == std::string::npos) slash = part.size();
            parts.push_back(part.substr(start, slash - start));
            start = slash + 1;
        }
    }
    return parts;
}

bool has_glob(std::string_view part) {
    return part.find_first_of("*?[\\") != std::string_view::npos;
}

}  // namespace

std::optional<std::string> unsafe_entry_reason(const TarEntry& entry) {
    if (auto unsafe = unsafe_path_reason(entry.path)) return "'" + entry.path + "': " + *unsafe;
    if (entry.type != TarEntry::Type::symlink) return std::nullopt;
    const std::string& target = entry.link_target;
    if (target.empty() || target.front() == '/') {
        return "'" + entry.path + "' is a symbolic link to " + target +
               ", outside the directory it is restored into";
    }
    // Resolve the target from the link's folder, part by part, without the file system.
    int depth = static_cast<int>(parts_of(entry.path).size()) - 1;
    for (const std::string& part : parts_of(target)) {
        depth += part == ".." ? -1 : 1;
        if (depth < 0) {
            return "'" + entry.path + "' is a symbolic link to " + target +
                   ", outside the directory it is restored into";
        }
    }
    return std::nullopt;
}

bool pattern_selects(std::string_view pattern, std::string_view path) {
    const std::vector<std::string> wanted = parts_of(pattern);
    const std::vector<std::string> parts = parts_of(path);
    if (parts.size() < wanted.size()) return false;
    for (size_t i = 0; i < wanted.size(); ++i) {
        // Go's filepath.Match: no special case for a leading dot.
        if (::fnmatch(wanted[i].c_str(), parts[i].c_str(), 0) != 0) return false;
    }
    return true;
}

std::string literal_prefix(std::string_view pattern) {
    std::string prefix;
    for (const std::string& part : parts_of(pattern)) {
        if (has_glob(part)) break;
        prefix += (prefix.empty() ? "" : "/") + part;
    }
    return prefix;
}

Result<std::optional<std::string>> first_unsafe_entry(const std::filesystem::path& archive) {
    auto reader = TarReader::open(archive);
    if (!reader) return reader.error();
    for (;;) {
        auto next = reader->next();
        if (!next) return next.error();
        if (!*next) return std::optional<std::string>{};
        if (auto unsafe = unsafe_entry_reason(**next)) return unsafe;
    }
}

}  // namespace fmg::agent
