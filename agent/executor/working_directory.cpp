#include "agent/executor/working_directory.h"

namespace fmg::agent {
namespace {

std::string normalise(const std::string& path) {
    std::string result = std::filesystem::path(path).lexically_normal().generic_string();
    while (result.size() > 1 && result.back() == '/') result.pop_back();
    return result;
}

std::string user_name(const std::string& user) {
    return user.substr(0, user.find(':'));
}

}  // namespace

std::string expand_home(const std::string& path, const std::string& home) {
    if (path == "~") return home;
    if (path.starts_with("~/")) return home + path.substr(1);
    return path;
}

std::string resolve_job_directory(const std::string& configured, const std::string& home) {
    std::string path = expand_home(configured.empty() ? kDefaultJobDirectory : configured, home);
    if (!path.starts_with('/')) path = home + "/" + path;
    return normalise(path);
}

std::string resolve_step_directory(const std::string& job_directory,
                                   const std::string& step_directory, const std::string& home) {
    if (step_directory.empty()) return job_directory;
    std::string path = expand_home(step_directory, home);
    if (!path.starts_with('/')) path = job_directory + "/" + path;
    return normalise(path);
}

std::filesystem::path map_to_workspace(const std::string& directory,
                                       const std::string& job_directory,
                                       const std::filesystem::path& workspace) {
    if (directory == job_directory) return workspace;
    std::string prefix = job_directory == "/" ? "/" : job_directory + "/";
    if (directory.starts_with(prefix)) return workspace / directory.substr(prefix.size());
    return directory;
}

bool is_root_user(const std::string& user) {
    std::string name = user_name(user);
    return name.empty() || name == "root" || name == "0";
}

std::string home_for_user(const std::string& user) {
    return is_root_user(user) ? "/root" : "/home/" + user_name(user);
}

}  // namespace fmg::agent
