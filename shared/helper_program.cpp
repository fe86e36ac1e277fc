#include "shared/helper_program.h"

#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

namespace fmg {

Result<std::filesystem::path> find_helper_program(std::string_view name,
                                                  std::string_view installed_with) {
    std::error_code ec;
    std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
    std::vector<std::filesystem::path> candidates;
    if (!ec) {
        candidates.push_back(self.parent_path() / name);
        candidates.push_back((self.parent_path() / FMG_LIBEXEC_FROM_BINDIR).lexically_normal() /
                             name);
    }
    const auto configured = std::filesystem::path(FMG_LIBEXEC_DIR) / name;
    if (std::find(candidates.begin(), candidates.end(), configured) == candidates.end()) {
        candidates.push_back(configured);
    }
    std::string looked;
    for (const auto& candidate : candidates) {
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        looked += (looked.empty() ? "" : " or ") + candidate.string();
    }
    return Error{"cannot find the helper " + std::string(name) + " (looked for " + looked +
                 "); install it with " + std::string(installed_with)};
}

}  // namespace fmg
