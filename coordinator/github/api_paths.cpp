#include "coordinator/github/api_paths.h"

#include <Poco/URI.h>

namespace fmg::coordinator::github {
namespace {

// Every reserved character of RFC 3986 (and '%'), so Poco::URI::encode escapes all of them;
// it always escapes controls, spaces and non-ASCII bytes.
constexpr const char* kEscaped = ":/?#[]@!$&'()*+,;=%\"<>\\^`{|}";

}  // namespace

std::string encode_path_segment(std::string_view part) {
    std::string encoded;
    Poco::URI::encode(std::string(part), kEscaped, encoded);
    return encoded;
}

std::string status_path(std::string_view base_path, std::string_view repo, std::string_view sha) {
    const auto slash = repo.find('/');
    const std::string_view owner = repo.substr(0, slash);
    const std::string_view name =
        slash == std::string_view::npos ? std::string_view() : repo.substr(slash + 1);
    std::string path(base_path);
    while (!path.empty() && path.back() == '/') path.pop_back();
    return path + "/repos/" + encode_path_segment(owner) + "/" + encode_path_segment(name) +
           "/statuses/" + encode_path_segment(sha);
}

}  // namespace fmg::coordinator::github
