#pragma once
// Limits and fixed values of the shell executor, each answering a threat from the code a
// step runs (docs/security.md, "what a step can reach on its runner").

#include <cstddef>

namespace fmg::agent {

/// PATH of every shell step unless `--pass-env PATH` passes the agent's own: Debian's default
/// for a login shell of root (it holds the user's directories too). Threat: an agent started
/// from a shell whose PATH has a user's or a tool's private directories (or `.`) would hand
/// them to code from pull requests.
inline constexpr const char* kDefaultStepPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// TERM of every shell step: no terminal is attached, so tools must not draw one.
inline constexpr const char* kStepTerm = "dumb";

/// Variables of the agent's own environment that a shell step gets when the agent has them:
/// locale and time zone, which say how to format text and times and hold no secret.
/// Everything else of the agent's (its FMG_* settings, FMG_GIT_TOKEN, proxies,
/// SSH_AUTH_SOCK, CREDENTIALS_DIRECTORY, ...) reaches a step only by `--pass-env NAME`.
inline constexpr const char* kStepInheritedVariables[] = {"LANG", "LANGUAGE", "LC_ALL", "TZ"};

/// How many names --pass-env may list. Threat: none from outside (it is the operator's
/// flag); a bound keeps a mistaken config from building a huge environment for every step.
inline constexpr std::size_t kMaxPassEnvNames = 64;

/// Mode of each job's scratch directory (the agent's work dir as its steps see it) and of the
/// blank file that covers hidden files: the agent's user only.
inline constexpr unsigned kScratchDirectoryMode = 0700;

}  // namespace fmg::agent
