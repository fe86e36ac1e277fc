#pragma once
// SSH host key verification against OpenSSH known_hosts files. libgit2 1.5 trusts any ssh
// host key unless told otherwise; fmg refuses hosts whose key is not listed, like
// `ssh -o StrictHostKeyChecking=yes` does.

#include <string>
#include <string_view>
#include <vector>

namespace fmg::git {

/// Overrides the list of known_hosts files (a path; the defaults are then not read).
inline constexpr const char* kKnownHostsEnvironmentVariable = "FMG_GIT_KNOWN_HOSTS";

enum class HostKeyStatus {
    trusted,  ///< listed for the host with this very key
    changed,  ///< the host is listed, but with other keys: possibly a man in the middle
    revoked,  ///< the key is marked @revoked
    unknown,  ///< the host is not listed at all
};

/// Looks `host` (on `port`) and its host key (the SSH wire-format blob, what known_hosts
/// holds in base64) up in the text of a known_hosts file: plain and hashed (`|1|`) host
/// names, `[host]:port`, `*`/`?` wildcards, `!` negations and @revoked markers. Lines with
/// @cert-authority are ignored (host certificates are not supported).
HostKeyStatus check_known_hosts(std::string_view known_hosts, std::string_view host, int port,
                                std::string_view key_blob);

/// The known_hosts files consulted: $FMG_GIT_KNOWN_HOSTS when set, otherwise
/// ~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts.
std::vector<std::string> known_hosts_files();

/// check_known_hosts over every file of known_hosts_files() that exists: trusted when one
/// file trusts the key and none revokes it.
HostKeyStatus check_known_host_files(std::string_view host, int port, std::string_view key_blob);

}  // namespace fmg::git
