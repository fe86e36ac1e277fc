#pragma once
// The coordinator's configuration, from flags, environment and config file (SPEC
// "fmg-coordinator").

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "coordinator/logs/log_cap.h"
#include "coordinator/preparer/constants.h"
#include "shared/options.h"

namespace fmg::coordinator {

/// The shortest restart grace by default: an agent reconnects at most 5 s (its longest
/// backoff, PROTOCOL.md) after the coordinator is back, plus a second for the hello.
constexpr int64_t kDefaultRestartGraceMs = 6000;

/// The longest --job-timeout: 30 days (the wire carries it as uint32 milliseconds, which
/// ends at 49 days).
constexpr int64_t kMaxJobTimeoutSeconds = 30 * 24 * 3600;

/// --max-artifact-size: the default (5 GiB) and the largest value accepted (1 TiB).
constexpr int64_t kDefaultMaxArtifactBytes = int64_t{5} * 1024 * 1024 * 1024;
constexpr int64_t kMaxArtifactBytesLimit = int64_t{1024} * 1024 * 1024 * 1024;
constexpr int64_t kDefaultMaxCacheBytes = int64_t{5} * 1024 * 1024 * 1024;

struct Settings {
    std::string http_host = "0.0.0.0";
    uint16_t http_port = 5000;
    std::string agent_listen = "tcp://0.0.0.0:5555";
    std::string agent_url;  // what agents connect to, written into their credentials
    std::filesystem::path data_dir = "./data";
    std::string orb_dir;  // registry orbs' sources (--orb-dir); empty: none
    std::string public_url = "http://localhost:5000";
    std::optional<std::string> webhook_secret;
    std::optional<std::string> github_token;
    // --tls-cert/--tls-key: PEM files; both set, the REST API, webhooks and the dashboard are
    // served over TLS only (http/tls_connection.h). Empty: plain HTTP.
    std::string tls_cert;
    std::string tls_key;
    std::string github_api_url = "https://api.github.com";
    int64_t heartbeat_interval_ms = 1000;
    int64_t agent_timeout_ms = 3000;
    int64_t restart_grace_ms = kDefaultRestartGraceMs;
    int64_t max_attempts = 3;
    int64_t job_timeout_ms = 3'600'000;                     // 0: no limit
    int64_t log_cap_bytes = kDefaultLogCapBytes;            // logs/log_cap.h
    int64_t max_artifact_bytes = kDefaultMaxArtifactBytes;  // one uploaded file at most
    int64_t max_cache_bytes = kDefaultMaxCacheBytes;        // one cache's paths together
    // Retention of stored files, in days (0: forever), and the blob store's quota in bytes
    // (0: none); docs/files.md.
    int64_t artifact_retention_days = 30;
    int64_t workspace_retention_days = 15;
    int64_t cache_retention_days = 15;
    int64_t store_quota_bytes = 0;
    bool insecure_agents = false;
    // Repositories (owner/name) whose pull requests from forks run without approval
    // (--trust-forks, repeatable; FMG_TRUST_FORKS, comma-separated).
    std::vector<std::string> trust_forks;
    // Hosts the git token (FMG_GIT_TOKEN) may be offered to: github.com, or the host of
    // --github-api-url (GitHub Enterprise). shared/git/credentials.h.
    std::vector<std::string> git_token_hosts;
    bool allow_insecure_github_api = false;  // an http:// --github-api-url on a non-loopback host
    int64_t fetch_timeout_ms = kDefaultFetchTimeoutMs;  // coordinator/preparer/constants.h
};

/// Parses the command line and environment. Returns Settings to run with, or an
/// options::Outcome to finish with (help, version, usage error).
std::variant<Settings, options::Outcome> parse_settings(const std::vector<std::string>& args,
                                                        const options::EnvLookup& env);

}  // namespace fmg::coordinator
