#include "shared/git/error.h"

#include <git2.h>

#include <cstdlib>
#include <string>

#include "shared/git/credentials.h"
#include "shared/git/url.h"

namespace fmg::git {

std::string scrub_secrets(std::string_view message) {
    std::string text = strip_credentials(message);
    const char* token = std::getenv(kTokenEnvironmentVariable);
    if (token == nullptr || *token == '\0') return text;
    const std::string secret = token;
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
        text.replace(at, secret.size(), "***");
    }
    return text;
}

Error libgit2_error(std::string_view action, int code) {
    const git_error* last = git_error_last();
    std::string detail = last != nullptr && last->message != nullptr
                             ? std::string(last->message)
                             : "libgit2 error " + std::to_string(code);
    while (!detail.empty() && (detail.back() == '\n' || detail.back() == '.')) detail.pop_back();
    return Error{scrub_secrets(std::string(action) + ": " + detail)};
}

}  // namespace fmg::git
