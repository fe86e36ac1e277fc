#pragma once
// The credentials fmg offers when a git server asks for them: a token from the environment
// for https (as GitHub expects it: user `x-access-token`, the token as password), and the
// ssh-agent or a key file for ssh. Nothing here is ever logged.

#include <git2.h>

namespace fmg::git {

/// The token sent as password to https servers that ask for credentials.
inline constexpr const char* kTokenEnvironmentVariable = "FMG_GIT_TOKEN";
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

/// A git_credential_acquire_cb; `payload` is the connection's CredentialAttempts. Returns 0
/// with `*out` set, or GIT_EAUTH with a libgit2 error message saying what is missing or was
/// refused (never the secret itself).
int acquire_credential(git_credential** out, const char* url, const char* username_from_url,
                       unsigned int allowed_types, void* payload);

}  // namespace fmg::git
