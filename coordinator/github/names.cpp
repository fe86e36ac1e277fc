#include "coordinator/github/names.h"

#include <algorithm>
#include <cctype>

#include "coordinator/github/constants.h"
#include "shared/git/url.h"

namespace fmg::coordinator::github {
namespace {

bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
}

bool is_control_or_space(char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte <= 0x20 || byte == 0x7f;
}

// The ref-name rules of git-check-ref-format(1) for one '/'-separated component.
std::optional<std::string> component_problem(std::string_view component) {
    constexpr std::string_view kLockSuffix = ".lock";
    if (component.empty()) return "has an empty component ('//', or '/' at an end)";
    if (component.front() == '.') return "has a component starting with '.'";
    if (component.size() >= kLockSuffix.size() &&
        component.substr(component.size() - kLockSuffix.size()) == kLockSuffix) {
        return "has a component ending with '.lock'";
    }
    return std::nullopt;
}

}  // namespace

bool is_commit_sha(std::string_view sha) {
    return sha.size() == kShaLength && std::all_of(sha.begin(), sha.end(), [](char c) {
               return std::isxdigit(static_cast<unsigned char>(c)) != 0;
           });
}

std::optional<std::string> name_part_problem(std::string_view part, std::string_view what,
                                             std::size_t max_length) {
    const std::string name(what);
    if (part.empty()) return name + " is empty";
    if (part.size() > max_length) {
        return name + " is longer than " + std::to_string(max_length) + " characters";
    }
    if (part == "." || part == "..") return name + " may not be '.' or '..'";
    if (!std::all_of(part.begin(), part.end(), is_name_char)) {
        return name + " may hold only letters, digits, '-', '_' and '.'";
    }
    return std::nullopt;
}

bool is_full_name(std::string_view full_name) {
    return !full_name_problem(full_name);
}

bool same_repo(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool repo_listed(std::string_view repo, const std::vector<std::string>& list) {
    return std::any_of(list.begin(), list.end(),
                       [&](const std::string& entry) { return same_repo(repo, entry); });
}

std::optional<std::string> full_name_problem(std::string_view full_name) {
    const auto slash = full_name.find('/');
    if (slash == std::string_view::npos) return "repository must be owner/name";
    if (auto bad =
            name_part_problem(full_name.substr(0, slash), "repository owner", kMaxOwnerLength)) {
        return bad;
    }
    // GitHub accounts never start with a hyphen; such an "owner" is only text meant for a URL.
    if (full_name.front() == '-') {
        return std::string("repository owner may not start with '-'");
    }
    return name_part_problem(full_name.substr(slash + 1), "repository name", kMaxRepoNameLength);
}

std::optional<std::string> ref_problem(std::string_view ref) {
    auto problem = [](const std::string& why) { return std::optional("ref " + why); };
    if (ref.empty()) return problem("is empty");
    if (ref.size() > kMaxRefLength) {
        return problem("is longer than " + std::to_string(kMaxRefLength) + " bytes");
    }
    for (char c : ref) {
        if (is_control_or_space(c) ||
            std::string_view("~^:?*[\\").find(c) != std::string_view::npos) {
            return problem("may not hold spaces, control characters or any of ~^:?*[\\");
        }
    }
    if (ref.find("..") != std::string_view::npos) return problem("may not hold '..'");
    if (ref.find("@{") != std::string_view::npos) return problem("may not hold '@{'");
    if (ref == "@") return problem("may not be '@'");
    if (ref.back() == '.') return problem("may not end with '.'");
    size_t start = 0;
    while (true) {
        const size_t slash = ref.find('/', start);
        const auto component = ref.substr(
            start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        if (auto bad = component_problem(component)) return problem(*bad);
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return std::nullopt;
}

std::optional<std::string> repo_url_problem(std::string_view url) {
    if (url.empty()) return "repo_url is empty";
    if (url.size() > kMaxRepoUrlLength) {
        return "repo_url is longer than " + std::to_string(kMaxRepoUrlLength) + " bytes";
    }
    if (std::any_of(url.begin(), url.end(), is_control_or_space)) {
        return "repo_url may not hold spaces or control characters";
    }
    auto kind = git::classify_url(url);
    if (!kind) return "repo_url: " + kind.error().message;
    if (*kind == git::UrlKind::file || *kind == git::UrlKind::local_path) {
        return "repo_url must be an https, http, ssh or git URL (not a path on the coordinator)";
    }
    if (git::strip_credentials(url) != url) {
        return "repo_url may not hold credentials (give the coordinator FMG_GIT_TOKEN instead)";
    }
    return std::nullopt;
}

}  // namespace fmg::coordinator::github
