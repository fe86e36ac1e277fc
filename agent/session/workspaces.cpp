#include "agent/session/workspaces.h"

#include <system_error>

#include "shared/log.h"

namespace fmg::agent {

std::filesystem::path workspaces_directory(const std::filesystem::path& work_dir) {
    return work_dir / "workspaces";
}

size_t remove_leftover_workspaces(const std::filesystem::path& work_dir) {
    std::error_code ec;
    std::filesystem::directory_iterator entries(workspaces_directory(work_dir), ec);
    if (ec) return 0;  // none yet
    size_t removed = 0;
    for (const auto& entry : entries) {
        std::error_code remove_error;
        std::filesystem::remove_all(entry.path(), remove_error);
        if (remove_error) {
            FMG_LOG(warn) << "cannot remove leftover workspace " << entry.path().string() << ": "
                          << remove_error.message();
            continue;
        }
        ++removed;
    }
    return removed;
}

}  // namespace fmg::agent
