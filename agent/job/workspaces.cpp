#include "agent/job/workspaces.h"

#include <sys/stat.h>
#include <unistd.h>

#include <system_error>

#include "shared/log.h"

namespace fmg::agent {
namespace {

namespace fs = std::filesystem;

// Gives the owner read, write and search permission on every directory under `root` that
// the agent's user owns, so remove_all can list and empty them. Symbolic links are never
// followed (a job may plant one pointing anywhere on the host).
void open_up_directories(const fs::path& root) {
    std::error_code ec;
    struct stat info {};
    if (::lstat(root.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) return;
    if (info.st_uid == ::geteuid() && (info.st_mode & S_IRWXU) != S_IRWXU) {
        ::chmod(root.c_str(), (info.st_mode & 07777) | S_IRWXU);
    }
    for (fs::directory_iterator entry(root, ec), end; !ec && entry != end; entry.increment(ec)) {
        if (entry->is_directory(ec) && !entry->is_symlink(ec)) open_up_directories(entry->path());
    }
}

}  // namespace

std::filesystem::path workspaces_directory(const std::filesystem::path& work_dir) {
    return work_dir / "workspaces";
}

Status remove_workspace(const std::filesystem::path& workspace) {
    std::error_code ec;
    fs::remove_all(workspace, ec);
    if (!ec) return {};
    open_up_directories(workspace);
    ec.clear();
    fs::remove_all(workspace, ec);
    if (!ec) return {};
    return Error{"cannot remove workspace " + workspace.string() + ": " + ec.message()};
}

size_t remove_leftover_workspaces(const std::filesystem::path& work_dir) {
    const fs::path directory = workspaces_directory(work_dir);
    std::error_code ec;
    fs::create_directories(directory, ec);
    fs::permissions(directory, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec) {
        FMG_LOG(warn) << "cannot make " << directory.string()
                      << " private (mode 0700): " << ec.message();
    }
    size_t removed = 0;
    for (fs::directory_iterator entry(directory, ec), end; !ec && entry != end;
         entry.increment(ec)) {
        if (Status gone = remove_workspace(entry->path()); !gone) {
            FMG_LOG(warn) << "leftover " << gone.error().message;
            continue;
        }
        ++removed;
    }
    return removed;
}

}  // namespace fmg::agent
