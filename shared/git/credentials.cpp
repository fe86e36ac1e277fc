#include "shared/git/credentials.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

namespace fmg::git {
namespace {

std::string environment(const char* name) {
    const char* value = std::getenv(name);
    return value == nullptr ? std::string() : std::string(value);
}

bool is_https(std::string_view url) {
    constexpr std::string_view kPrefix = "https://";
    if (url.size() < kPrefix.size()) return false;
    for (size_t i = 0; i < kPrefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(url[i])) != kPrefix[i]) return false;
    }
    return true;
}

// The ssh user when the URL names none, as OpenSSH picks it: the local user.
std::string ssh_user(const char* username_from_url) {
    if (username_from_url != nullptr && *username_from_url != '\0') return username_from_url;
    for (const char* name : {"USER", "LOGNAME"}) {
        if (auto value = environment(name); !value.empty()) return value;
    }
    return "git";
}

int refuse(const char* message) {
    git_error_set_str(GIT_ERROR_NET, message);
    return GIT_EAUTH;
}

int ssh_credential(git_credential** out, const char* username_from_url,
                   CredentialAttempts& attempts) {
    const std::string user = ssh_user(username_from_url);
    if (!attempts.ssh_agent && !environment("SSH_AUTH_SOCK").empty()) {
        attempts.ssh_agent = true;
        return git_credential_ssh_key_from_agent(out, user.c_str());
    }
    const std::string key = environment(kSshKeyEnvironmentVariable);
    if (!attempts.ssh_key && !key.empty()) {
        attempts.ssh_key = true;
        std::error_code ignored;
        const std::string public_key = key + ".pub";
        bool has_public_key = std::filesystem::exists(public_key, ignored);
        return git_credential_ssh_key_new(
            out, user.c_str(), has_public_key ? public_key.c_str() : nullptr, key.c_str(), nullptr);
    }
    if (attempts.ssh_agent || attempts.ssh_key) {
        return refuse("the ssh server refused the keys of the ssh-agent and FMG_GIT_SSH_KEY");
    }
    return refuse(
        "the ssh server asks for a key and none is configured (start an ssh-agent with "
        "SSH_AUTH_SOCK set, or set FMG_GIT_SSH_KEY to a private key file)");
}

int token_credential(git_credential** out, const char* url, CredentialAttempts& attempts) {
    const std::string token = environment(kTokenEnvironmentVariable);
    if (token.empty()) {
        return refuse(
            "the server asks for credentials and none are configured (set FMG_GIT_TOKEN)");
    }
    if (!is_https(url != nullptr ? url : "")) {
        return refuse("the server asks for credentials; FMG_GIT_TOKEN is only sent over https");
    }
    if (!may_offer_token(url)) {
        return refuse(
            "the server asks for credentials; FMG_GIT_TOKEN is only sent to the hosts in "
            "FMG_GIT_TOKEN_HOSTS (github.com when unset)");
    }
    if (attempts.token) return refuse("the server refused the token in FMG_GIT_TOKEN");
    attempts.token = true;
    return git_credential_userpass_plaintext_new(out, kTokenUserName, token.c_str());
}

std::string lowered(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// The host of a scheme://[user@]host[:port]/... URL, lower-cased; empty when there is none.
std::string url_host(std::string_view url) {
    const auto separator = url.find("://");
    if (separator == std::string_view::npos) return {};
    auto authority = url.substr(separator + 3);
    authority = authority.substr(0, authority.find_first_of("/?#"));
    if (auto at = authority.rfind('@'); at != std::string_view::npos) {
        authority.remove_prefix(at + 1);
    }
    if (!authority.empty() && authority.front() == '[') {  // [IPv6 address]
        return lowered(authority.substr(0, authority.find(']') + 1));
    }
    return lowered(authority.substr(0, authority.find(':')));
}

}  // namespace

bool may_offer_token(std::string_view url) {
    if (!is_https(url)) return false;
    const std::string host = url_host(url);
    if (host.empty()) return false;
    std::string hosts = environment(kTokenHostsEnvironmentVariable);
    if (hosts.empty()) hosts = kDefaultTokenHosts;
    size_t start = 0;
    while (start <= hosts.size()) {
        const size_t comma = std::min(hosts.find(',', start), hosts.size());
        std::string_view allowed(hosts.data() + start, comma - start);
        while (!allowed.empty() && allowed.front() == ' ') allowed.remove_prefix(1);
        while (!allowed.empty() && allowed.back() == ' ') allowed.remove_suffix(1);
        if (!allowed.empty() && lowered(allowed) == host) return true;
        start = comma + 1;
    }
    return false;
}

int acquire_credential(git_credential** out, const char* url, const char* username_from_url,
                       unsigned int allowed_types, void* payload) {
    auto& attempts = *static_cast<CredentialAttempts*>(payload);
    if ((allowed_types & GIT_CREDENTIAL_USERNAME) != 0 && !attempts.user_name) {
        attempts.user_name = true;
        return git_credential_username_new(out, ssh_user(username_from_url).c_str());
    }
    if ((allowed_types & GIT_CREDENTIAL_SSH_KEY) != 0) {
        return ssh_credential(out, username_from_url, attempts);
    }
    if ((allowed_types & GIT_CREDENTIAL_USERPASS_PLAINTEXT) != 0) {
        return token_credential(out, url, attempts);
    }
    return refuse("the server asks for a kind of credentials fmg cannot offer");
}

}  // namespace fmg::git
