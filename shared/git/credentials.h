#pragma once
// The credentials fmg offers when a git server asks for them: a token from the environment
// for https to the hosts it is meant for (as GitHub expects it: user `x-access-token`, the
// token as password), and the
// ssh-agent or a key file for ssh. Nothing here is ever logged.

#include <git2.h>

#include <string_view>

namespace fmg::git {

/// The token sent as password to https servers that ask for credentials.
inline constexpr const char* kTokenEnvironmentVariable = "FMG_GIT_TOKEN";
/// The hosts the token may be offered to, comma-separated (e.g. "github.com,ghe.example.com").
/// Any other host that asks gets no token, whatever the URL: a repository URL or a redirect
/// can name any server. The coordinator sets it for its fetches from --github-api-url.
inline constexpr const char* kTokenHostsEnvironmentVariable = "FMG_GIT_TOKEN_HOSTS";
/// The token's hosts when FMG_GIT_TOKEN_HOSTS is not set.
inline constexpr const char* kDefaultTokenHosts = "github.com";
/// The user name sent with the token.
inline constexpr const char* kTokenUserName = "x-access-token";
/// A private key file offered to ssh servers after the ssh-agent (its public half is read
/// from the same path plus `.pub` when present).
inline constexpr const char* kSshKeyEnvironmentVariable = "FMG_GIT_SSH_KEY";

/// What has been offered on one connection. libgit2 asks again after every refusal, so each
/// credential is offered once and a second request fails instead of looping.
struct CredentialAttempts {
    bool user_name = false;
    bool ssh_agent = false;
    bool ssh_key = false;
    bool token = false;
};

/// Whether the token may be offered to the server of `url`: an https URL whose host (without
/// port or user, compared without case) is one of FMG_GIT_TOKEN_HOSTS, or github.com when
/// that is not set.
bool may_offer_token(std::string_view url);

/// A git_credential_acquire_cb; `payload` is the connection's CredentialAttempts. Returns 0
/// with `*out` set, or GIT_EAUTH with a libgit2 error message saying what is missing or was
/// refused (never the secret itself).
int acquire_credential(git_credential** out, const char* url, const char* username_from_url,
                       unsigned int allowed_types, void* payload);

}  // namespace fmg::git
