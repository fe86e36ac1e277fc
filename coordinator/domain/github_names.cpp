#include "coordinator/domain/github_names.h"

#include <algorithm>
#include <cctype>

#include "coordinator/constants.h"

namespace fmg::coordinator {
namespace {

bool is_alnum(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

bool valid_owner(std::string_view owner) {
    if (owner.empty() || owner.size() > kMaxGitHubOwnerLength || owner.front() == '-') {
        return false;
    }
    return std::all_of(owner.begin(), owner.end(), [](char c) { return is_alnum(c) || c == '-'; });
}

bool valid_name(std::string_view name) {
    if (name.empty() || name.size() > kMaxGitHubRepoNameLength || name == "." || name == "..") {
        return false;
    }
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return is_alnum(c) || c == '.' || c == '_' || c == '-'; });
}

}  // namespace

bool is_github_full_name(std::string_view full_name) {
    auto slash = full_name.find('/');
    if (slash == std::string_view::npos) return false;
    return valid_owner(full_name.substr(0, slash)) && valid_name(full_name.substr(slash + 1));
}

bool same_github_repo(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool github_repo_listed(std::string_view repo, const std::vector<std::string>& list) {
    return std::any_of(list.begin(), list.end(),
                       [&](const std::string& entry) { return same_github_repo(repo, entry); });
}

}  // namespace fmg::coordinator
