#pragma once
// Where a step runs. Directories are written as in the pipeline config ("~/project",
// "src", "/tmp/x") and resolved like CircleCI does: `~` is the user's home, a job's
// relative directory is under the home, a step's relative directory is under the job's.

#include <filesystem>
#include <string>

namespace fmg::agent {

/// The job directory when the config names none.
inline constexpr const char* kDefaultJobDirectory = "~/project";

/// Replaces a leading "~" or "~/" with `home`; other paths are returned unchanged.
std::string expand_home(const std::string& path, const std::string& home);

/// The job's absolute directory: `configured` (default "~/project") with `~` expanded;
/// a relative path is taken under `home`. Normalised, without a trailing slash.
std::string resolve_job_directory(const std::string& configured, const std::string& home);

/// The step's absolute directory: the job's when `step_directory` is empty, `~` expanded,
/// relative paths under `job_directory`. Normalised, without a trailing slash.
std::string resolve_step_directory(const std::string& job_directory,
                                   const std::string& step_directory, const std::string& home);

/// For the shell executor: where `directory` (absolute, as resolved above) is on the host.
/// The job directory is the workspace itself and paths under it are under the workspace;
/// anything else is that host path.
std::filesystem::path map_to_workspace(const std::string& directory,
                                       const std::string& job_directory,
                                       const std::filesystem::path& workspace);

/// The home directory of an image's user (Docker's Config.User, "name[:group]" or
/// "uid[:gid]"): "/root" for root or an empty user, otherwise "/home/<name>".
std::string home_for_user(const std::string& user);

/// True when Config.User `user` runs as root.
bool is_root_user(const std::string& user);

}  // namespace fmg::agent
