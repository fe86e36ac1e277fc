#include "agent/executor/shell_step_sandbox.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

namespace fmg::agent {
namespace {

using Kind = SandboxOperation::Kind;

// The highest capability number any kernel may know; PR_CAPBSET_DROP fails with EINVAL past
// the running kernel's last one, which ends the loop.
constexpr int kMaxCapability = 63;

bool write_text(const char* path, const std::string& text) noexcept {
    int fd = ::open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return false;
    ssize_t written = ::write(fd, text.data(), text.size());
    int error = errno;
    ::close(fd);
    errno = error;
    return written == static_cast<ssize_t>(text.size());
}

// The atime flags of the mount at `path`, which a remount in a user namespace must keep (the
// kernel locks them on mounts it copied from a more privileged namespace).
unsigned long atime_flags(const char* path) noexcept {
    struct statfs info {};
    if (::statfs(path, &info) != 0) return 0;
    unsigned long flags = 0;
    if (info.f_flags & ST_NOATIME) flags |= MS_NOATIME;
    if (info.f_flags & ST_NODIRATIME) flags |= MS_NODIRATIME;
    if (info.f_flags & ST_RELATIME) flags |= MS_RELATIME;
    return flags;
}

bool drop_privileges() noexcept {
    for (int capability = 0; capability <= kMaxCapability; ++capability) {
        if (::prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0) {
            if (errno == EINVAL) break;  // past the kernel's last capability
            return false;
        }
    }
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
        return false;
    }
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] = {};
    if (::syscall(SYS_capset, &header, data) != 0) return false;
    return ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0;
}

// "/proc/self/fd/N" for `fd`, written into `buffer` without allocating (the child of a fork
// may not).
const char* fd_path(int fd, char (&buffer)[32]) noexcept {
    static constexpr char kPrefix[] = "/proc/self/fd/";
    char digits[12];
    int count = 0;
    do {
        digits[count++] = static_cast<char>('0' + fd % 10);
        fd /= 10;
    } while (fd > 0 && count < 11);
    size_t at = 0;
    for (char c : std::string_view(kPrefix)) buffer[at++] = c;
    while (count > 0) buffer[at++] = digits[--count];
    buffer[at] = '\0';
    return buffer;
}

// Runs one operation; `held` are the descriptors `hold` opened, for `bind_held`.
bool run(const SandboxOperation& op, int (&held)[kMaxShownDirectories]) noexcept {
    const char* target = op.target.c_str();
    switch (op.kind) {
        case Kind::new_namespaces:
            return ::unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0;
        case Kind::write_file:
            return write_text(target, op.data);
        case Kind::mounts_private:
            return ::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) == 0;
        case Kind::cover_file: {
            if (::mount(op.source.c_str(), target, nullptr, MS_BIND, nullptr) != 0) return false;
            const unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV |
                                        MS_NOEXEC | atime_flags(target);
            return ::mount(nullptr, target, nullptr, flags, nullptr) == 0;
        }
        case Kind::cover_directory:
            return ::mount("fmg-hidden", target, "tmpfs",
                           MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=000,size=4k") == 0;
        case Kind::bind:
            return ::mount(op.source.c_str(), target, nullptr, MS_BIND | MS_REC, nullptr) == 0;
        case Kind::hold:
            held[op.slot] = ::open(target, O_PATH | O_DIRECTORY | O_CLOEXEC);
            return held[op.slot] >= 0;
        case Kind::bind_held: {
            char source[32];
            return ::mount(fd_path(held[op.slot], source), target, nullptr, MS_BIND | MS_REC,
                           nullptr) == 0;
        }
        case Kind::skeleton:
            return ::mount("fmg-skeleton", target, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                           "mode=755,size=64k") == 0;
        case Kind::make_directory:
            return ::mkdir(target, 0755) == 0 || errno == EEXIST;
        case Kind::seal:
            return ::mount(nullptr, target, nullptr,
                           MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) == 0;
        case Kind::drop_privileges:
            return drop_privileges();
    }
    return false;
}

std::string describe_operation(const SandboxOperation& op) {
    switch (op.kind) {
        case Kind::new_namespaces:
            return "make a user and a mount namespace (unshare)";
        case Kind::write_file:
            return "write '" + op.data.substr(0, op.data.find('\n')) + "' to " + op.target;
        case Kind::mounts_private:
            return "make the step's mounts private";
        case Kind::cover_file:
            return "hide " + op.target;
        case Kind::cover_directory:
            return "hide directory " + op.target;
        case Kind::bind:
            return "show " + op.source + " at " + op.target;
        case Kind::hold:
            return "open " + op.target;
        case Kind::bind_held:
            return "show the job's directory at " + op.target;
        case Kind::skeleton:
            return "cover " + op.target + " with an empty tmpfs";
        case Kind::make_directory:
            return "make the mount point " + op.target;
        case Kind::seal:
            return "make " + op.target + " read-only";
        case Kind::drop_privileges:
            return "drop the step's capabilities";
    }
    return "enter the step sandbox";
}

bool is_under(const std::filesystem::path& path, const std::filesystem::path& directory) {
    auto relative = path.lexically_relative(directory);
    return !relative.empty() && *relative.begin() != ".." && relative != ".";
}

}  // namespace

Result<StepSandbox> StepSandbox::plan(const StepSandboxPaths& paths, uid_t uid, gid_t gid) {
    std::vector<std::filesystem::path> all = {paths.work_dir, paths.workspace, paths.blank_file};
    if (!paths.scratch.empty()) all.push_back(paths.scratch);
    if (!paths.tools.empty()) all.push_back(paths.tools);
    all.insert(all.end(), paths.hidden_files.begin(), paths.hidden_files.end());
    all.insert(all.end(), paths.hidden_directories.begin(), paths.hidden_directories.end());
    for (const auto& path : all) {
        if (!path.is_absolute())
            return Error{"step sandbox: " + path.string() + " is not absolute"};
    }
    StepSandbox sandbox;
    sandbox.hidden_ = paths.hidden_files;
    sandbox.hidden_.insert(sandbox.hidden_.end(), paths.hidden_directories.begin(),
                           paths.hidden_directories.end());
    auto& ops = sandbox.operations_;
    ops.push_back({Kind::new_namespaces, {}, {}, {}});
    // The step keeps the agent's uid and gid: files it writes in the workspace are the
    // agent's. An unprivileged process may map only its own ids, and a gid only after
    // giving up setgroups(2).
    ops.push_back({Kind::write_file, {}, "/proc/self/setgroups", "deny"});
    ops.push_back({Kind::write_file,
                   {},
                   "/proc/self/uid_map",
                   std::to_string(uid) + " " + std::to_string(uid) + " 1\n"});
    ops.push_back({Kind::write_file,
                   {},
                   "/proc/self/gid_map",
                   std::to_string(gid) + " " + std::to_string(gid) + " 1\n"});
    ops.push_back({Kind::mounts_private, {}, {}, {}});
    for (const auto& file : paths.hidden_files) {
        ops.push_back({Kind::cover_file, paths.blank_file.string(), file.string(), {}, true});
    }
    for (const auto& directory : paths.hidden_directories) {
        ops.push_back({Kind::cover_directory, {}, directory.string(), {}, true});
    }
    // The job's own directories in the work dir, which the step sees at their paths.
    std::vector<std::filesystem::path> shown;
    for (const auto& directory : {paths.workspace, paths.tools}) {
        if (!directory.empty() && is_under(directory, paths.work_dir)) shown.push_back(directory);
    }
    if (paths.scratch.empty()) {
        // No scratch directory on disk: an empty tmpfs covers the work dir, the workspace's
        // mount point is made in it, the workspace shown there, and the tmpfs made
        // read-only (creating directories on the agent's disk for every job cost more CPU
        // than the rest of the sandbox; docs/performance.md).
        // The workspace (and the step tools) are opened first: once the tmpfs covers the
        // work dir, their paths lead into the tmpfs.
        for (int slot = 0; slot < static_cast<int>(shown.size()); ++slot) {
            ops.push_back({Kind::hold, {}, shown[slot].string(), {}, false, slot});
        }
        ops.push_back({Kind::skeleton, {}, paths.work_dir.string(), {}});
        for (int slot = 0; slot < static_cast<int>(shown.size()); ++slot) {
            std::filesystem::path point = paths.work_dir;
            for (const auto& part : shown[slot].lexically_relative(paths.work_dir)) {
                point /= part;
                ops.push_back({Kind::make_directory, {}, point.string(), {}});
            }
            ops.push_back({Kind::bind_held, {}, point.string(), {}, false, slot});
        }
        ops.push_back({Kind::seal, {}, paths.work_dir.string(), {}});
        ops.push_back({Kind::drop_privileges, {}, {}, {}});
        return sandbox;
    }
    // The workspace (and the step tools) first onto their places in the scratch directory,
    // then the scratch directory (with those binds inside it) over the whole work dir.
    for (const auto& directory : shown) {
        ops.push_back({Kind::bind,
                       directory.string(),
                       (paths.scratch / directory.lexically_relative(paths.work_dir)).string(),
                       {}});
    }
    ops.push_back({Kind::bind, paths.scratch.string(), paths.work_dir.string(), {}});
    ops.push_back({Kind::drop_privileges, {}, {}, {}});
    return sandbox;
}

bool StepSandbox::enter(SandboxFailure& failure) const noexcept {
    int held[kMaxShownDirectories] = {-1, -1};  // closed at exec (O_CLOEXEC)
    for (size_t i = 0; i < operations_.size(); ++i) {
        if (run(operations_[i], held)) continue;
        if (errno == ENOENT && operations_[i].missing_is_fine) continue;
        failure.operation = static_cast<int>(i);
        failure.error = errno;
        return false;
    }
    return true;
}

std::string StepSandbox::describe(const SandboxFailure& failure) const {
    std::string what =
        failure.operation >= 0 && static_cast<size_t>(failure.operation) < operations_.size()
            ? describe_operation(operations_[static_cast<size_t>(failure.operation)])
            : std::string("enter the step sandbox");
    return "cannot " + what + ": " + std::strerror(failure.error);
}

Status probe_step_sandbox() {
    pid_t child = ::fork();
    if (child < 0) return Error{std::string("fork: ") + std::strerror(errno)};
    if (child == 0) ::_exit(::unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0 ? 0 : errno & 0x7f);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
    int error = WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
    return Error{std::string("the shell executor runs each step in a user and a mount namespace, "
                             "and this process cannot make one (unshare: ") +
                 std::strerror(error) +
                 "); allow unprivileged user namespaces (sysctl user.max_user_namespaces > 0, "
                 "and kernel.unprivileged_userns_clone=1 where it exists), and do not set "
                 "RestrictNamespaces= in the agent's unit"};
}

}  // namespace fmg::agent
