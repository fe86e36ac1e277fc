#pragma once
// What a shell step can see of its runner. Each step's process enters, between fork and
// exec, a new user namespace and a new mount namespace in which:
// - the agent's work dir (repository mirrors, log spool, other jobs' workspaces, step
//   records) is covered by the job's own scratch directory, with the job's workspace and its
//   step tools (step_tools.h) shown at their usual paths inside it;
// - files the agent holds secret (its credentials file, the Docker socket) are covered by an
//   empty, unreadable, read-only file, and secret directories (systemd's
//   CREDENTIALS_DIRECTORY) by an empty, unreadable, read-only tmpfs;
// - it keeps the agent's uid and gid but has no capabilities, and no_new_privs is set.
//
// Why a user namespace: an unprivileged agent may only make a mount namespace inside one,
// and it also keeps a same-uid step from reading the agent's memory and environment
// (/proc/AGENT/mem, /proc/AGENT/environ) and its view of files (/proc/AGENT/root): the kernel
// refuses ptrace-mode access from a process in a child user namespace without capabilities
// in the agent's. The covers cannot be undone from inside: unmounting needs CAP_SYS_ADMIN
// (dropped), and in a further user namespace the step might make the covers are locked to
// what they cover (mount_namespaces(7), "restrictions on mount namespaces").
//
// This is not a container: the step runs as the agent's user, shares the host's network,
// /tmp, process table (it can signal the agent's processes) and every file that user can
// read outside the covered paths. See docs/security.md.

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "shared/result.h"

namespace fmg::agent {

/// The paths a step sandbox is built from; every one absolute.
struct StepSandboxPaths {
    std::filesystem::path work_dir;  // the agent's --work-dir: covered by `scratch`
    // The job's own directory, shown at work_dir; needed only when the steps' home is in the
    // work dir (it is then the job's private home). Empty: the work dir is covered by an
    // empty read-only tmpfs made in the step's namespace, holding only the workspace's mount
    // point, so a job costs no directories on the agent's disk.
    std::filesystem::path scratch;
    // The job's workspace, shown at its own path. When it is under work_dir, the directory
    // scratch/RELATIVE must exist (it is the mount point).
    std::filesystem::path workspace;
    std::filesystem::path blank_file;  // empty, mode 0000: bound read-only over hidden files
    std::vector<std::filesystem::path> hidden_files;        // e.g. the credentials file
    std::vector<std::filesystem::path> hidden_directories;  // e.g. CREDENTIALS_DIRECTORY
    // The job's step tools directory (step_tools.h), shown at its own path as the workspace
    // is, writable; empty: none. When it is under work_dir and there is a scratch directory,
    // scratch/RELATIVE must exist.
    std::filesystem::path tools = {};
};

/// How many directories of the work dir a step sees (the workspace, the step tools).
inline constexpr int kMaxShownDirectories = 2;

/// One operation of entering the sandbox, in order.
struct SandboxOperation {
    enum class Kind {
        new_namespaces,   // unshare(CLONE_NEWUSER | CLONE_NEWNS)
        write_file,       // write `data` to `target` (/proc/self/setgroups, uid_map, gid_map)
        mounts_private,   // every mount MS_SLAVE: nothing made here propagates to the host
        cover_file,       // bind `source` (the blank file) over `target`, then read-only
        cover_directory,  // an empty read-only tmpfs of mode 0000 over `target`
        bind,             // bind `source` (with what is mounted under it) over `target`
        hold,             // open `target` (O_PATH) into `slot`, to bind once a cover hides it
        skeleton,         // an empty tmpfs over `target` (the work dir), to hold mount points
        make_directory,   // mkdir `target` (a mount point in the skeleton)
        bind_held,        // bind what `hold` opened into `slot` over `target`
        seal,             // remount the skeleton at `target` read-only
        drop_privileges,  // empty capability sets and bounding set; no_new_privs
    };
    Kind kind;
    std::string source;
    std::string target;
    std::string data;
    // A `target` that does not exist in the step's view is already hidden: no failure.
    bool missing_is_fine = false;
    int slot = 0;  // hold, bind_held: which held descriptor, below kMaxShownDirectories
};

/// How entering the sandbox failed in the child: the operation's index and the errno.
struct SandboxFailure {
    int operation = -1;  // -1: the failure was not in the sandbox (e.g. exec)
    int error = 0;
};

class StepSandbox {
  public:
    /// The operations for `paths`, run as `uid`/`gid` (the agent's). Fails when a path is
    /// not absolute.
    static Result<StepSandbox> plan(const StepSandboxPaths& paths, uid_t uid, gid_t gid);

    /// Enters the sandbox. Only in a forked child, before exec: it calls only
    /// async-signal-safe functions (system calls, no allocation). Returns true, or false with
    /// `failure` saying which operation failed and why.
    bool enter(SandboxFailure& failure) const noexcept;

    /// "cannot OPERATION: strerror", for the step's error.
    std::string describe(const SandboxFailure& failure) const;

    const std::vector<SandboxOperation>& operations() const { return operations_; }

    /// What the sandbox hides from steps (files and folders), so the agent's own file
    /// operations on a job's behalf can refuse them too.
    const std::vector<std::filesystem::path>& hidden() const { return hidden_; }

  private:
    std::vector<SandboxOperation> operations_;
    std::vector<std::filesystem::path> hidden_;
};

/// Whether this process can make a step sandbox (a user and a mount namespace): a forked
/// child tries, then exits. Fails saying what to enable when it cannot.
Status probe_step_sandbox();

}  // namespace fmg::agent
