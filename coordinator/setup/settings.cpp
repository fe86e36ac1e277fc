#include "coordinator/setup/settings.h"

#include <Poco/Net/IPAddress.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <limits>
#include <sstream>

#include "coordinator/github/names.h"
#include "coordinator/setup/tls_context.h"

namespace fmg::coordinator {
namespace {

using options::Spec;

/// A log cap: a whole number of bytes from 64 KiB to 1 TiB.
options::Validator log_cap_bytes() {
    return [](std::string_view text) -> std::optional<std::string> {
        if (options::integer_between(kMinLogCapBytes, kMaxLogCapBytes)(text)) {
            return "must be a number of bytes from " + std::to_string(kMinLogCapBytes) + " (" +
                   format_byte_size(kMinLogCapBytes) + ") to " + std::to_string(kMaxLogCapBytes) +
                   " (" + format_byte_size(kMaxLogCapBytes) + ")";
        }
        return std::nullopt;
    };
}

/// The items of a comma-separated list, without surrounding spaces; empty items dropped.
std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> items;
    size_t start = 0;
    while (start <= text.size()) {
        size_t comma = text.find(',', start);
        if (comma == std::string_view::npos) comma = text.size();
        std::string_view item = text.substr(start, comma - start);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (!item.empty()) items.emplace_back(item);
        start = comma + 1;
    }
    return items;
}

/// A comma-separated list of GitHub repositories, each OWNER/NAME as GitHub allows it.
options::Validator repository_list() {
    return [](std::string_view text) -> std::optional<std::string> {
        auto items = split_list(text);
        if (items.empty()) return "must name at least one repository as OWNER/NAME";
        for (const auto& item : items) {
            if (!github::is_full_name(item)) {
                return "'" + item + "' is not a GitHub repository (OWNER/NAME)";
            }
        }
        return std::nullopt;
    };
}

std::vector<Spec> specs() {
    return {
        {"http-listen", "ADDR", "FMG_HTTP_LISTEN", "0.0.0.0:5000",
         "address for webhooks, the REST API and metrics (PORT sets the port alone)",
         options::host_port()},
        {"agent-listen", "ENDPOINT", "FMG_AGENT_LISTEN", "tcp://0.0.0.0:5555",
         "ZeroMQ endpoint agents connect to", options::zmq_endpoint()},
        {"agent-url", "ENDPOINT", "FMG_AGENT_URL", "",
         "endpoint written into agent credentials (default: the public URL's host with the "
         "agent-listen port)",
         options::zmq_endpoint()},
        {"data-dir", "DIR", "FMG_DATA_DIR", "./data",
         "SQLite database, logs, repository mirrors and keys", options::non_empty()},
        {"orb-dir", "DIR", "FMG_ORB_DIR", "",
         "registry orbs' sources, as DIR/NAMESPACE/NAME@VERSION.yml (fmg cannot download "
         "orbs; a config importing one that is not there fails naming it)",
         options::non_empty()},
        {"public-url", "URL", "FMG_PUBLIC_URL", "http://localhost:5000",
         "this coordinator's URL as users see it (status target_url)", options::http_url()},
        {"webhook-secret-file", "FILE", "", "",
         "file holding the webhook secret (or WEBHOOK_SECRET); without one every webhook is "
         "refused",
         nullptr},
        {"github-token-file", "FILE", "", "",
         "file holding the GitHub token (or GITHUB_TOKEN); without one statuses are not posted",
         nullptr},
        {"tls-cert", "FILE", "FMG_TLS_CERT", "",
         "serve HTTPS with this PEM certificate (chain) instead of HTTP; needs --tls-key",
         options::non_empty()},
        {"tls-key", "FILE", "FMG_TLS_KEY", "", "the PEM private key of --tls-cert (mode 0600)",
         options::non_empty()},
        {"github-api-url", "URL", "FMG_GITHUB_API_URL", "https://api.github.com",
         "GitHub API base (GitHub Enterprise: https://HOST/api/v3)", options::http_url()},
        {"heartbeat-interval", "MS", "FMG_HEARTBEAT_MS", "1000", "heartbeat period, both ways",
         options::integer_between(50, 60'000)},
        {"agent-timeout", "MS", "FMG_AGENT_TIMEOUT_MS", "3000", "an agent silent this long is lost",
         options::integer_between(100, 600'000)},
        {"restart-grace", "MS", "FMG_RESTART_GRACE_MS", "",
         "after a restart, how long running jobs wait for their agent to reconnect before they "
         "are retried (default: the larger of 2 x --agent-timeout and 6000, the agent's "
         "longest reconnect backoff plus a second; at least 2 x --agent-timeout)",
         options::integer_between(200, 3'600'000)},
        {"max-attempts", "N", "FMG_MAX_ATTEMPTS", "3",
         "attempts of a job whose agent was lost, before the job is an error",
         options::integer_between(1, 100)},
        {"job-timeout", "SECONDS", "FMG_JOB_TIMEOUT_S", "3600",
         "a job running longer is stopped and ends in error (0: no limit)",
         options::integer_between(0, kMaxJobTimeoutSeconds)},
        {"log-cap", "BYTES", "FMG_LOG_CAP_BYTES", std::to_string(kDefaultLogCapBytes),
         "a job log past this many bytes (at least 65536) keeps its first and last halves, "
         "with a line between them saying how much was left out",
         log_cap_bytes()},
        {"max-artifact-size", "BYTES", "FMG_MAX_ARTIFACT_SIZE",
         std::to_string(kDefaultMaxArtifactBytes),
         "the largest file a job may upload (an artifact); a larger one fails its step",
         options::integer_between(1024, kMaxArtifactBytesLimit)},
        {"max-cache-size", "BYTES", "FMG_MAX_CACHE_SIZE", std::to_string(kDefaultMaxCacheBytes),
         "the largest cache a save_cache step may store (its paths together); a larger one "
         "fails its step",
         options::integer_between(1024, kMaxArtifactBytesLimit)},
        {"artifact-retention-days", "DAYS", "FMG_ARTIFACT_RETENTION_DAYS", "30",
         "keep artifacts and test result files this many days (0: forever)",
         options::integer_between(0, 36500)},
        {"workspace-retention-days", "DAYS", "FMG_WORKSPACE_RETENTION_DAYS", "15",
         "keep workspace layers this many days (0: forever)", options::integer_between(0, 36500)},
        {"cache-retention-days", "DAYS", "FMG_CACHE_RETENTION_DAYS", "15",
         "evict a cache no job restored or saved for this many days (0: never)",
         options::integer_between(0, 36500)},
        {"store-quota", "BYTES", "FMG_STORE_QUOTA", "0",
         "the most the blob store may hold; past it the least recently used caches are evicted, "
         "then uploads fail (0: no quota)",
         options::integer_between(0, std::numeric_limits<int64_t>::max())},
        {"insecure-agents", "", "", "", "accept agents without CURVE credentials", nullptr},
        {"trust-forks", "OWNER/NAME", "FMG_TRUST_FORKS", "",
         "run pull requests from forks of this repository without approval (repeatable; the "
         "environment variable takes a comma-separated list); others wait for `fmg approve`",
         repository_list()},
        {"allow-insecure-github-api", "", "", "",
         "accept an http:// --github-api-url on a host other than loopback (the GitHub token "
         "then crosses the network in clear)",
         nullptr},
        {"fetch-timeout", "MS", "FMG_FETCH_TIMEOUT_MS", std::to_string(kDefaultFetchTimeoutMs),
         "a repository fetch fails when the server has not answered within this time, or has "
         "sent nothing for this long during the transfer",
         options::integer_between(kMinFetchTimeoutMs, kMaxFetchTimeoutMs)},
    };
}

/// The options parser keeps one value per option: every --trust-forks (before a lone "--")
/// is gathered into one comma-separated --trust-forks, so the flag can be repeated.
std::vector<std::string> gather_trust_forks(const std::vector<std::string>& args) {
    const std::string flag = "--trust-forks";
    std::vector<std::string> rest;
    std::vector<std::string> values;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--") {
            rest.insert(rest.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
            break;
        }
        if (args[i] == flag && i + 1 < args.size()) {
            values.push_back(args[++i]);
        } else if (args[i].rfind(flag + "=", 0) == 0) {
            values.push_back(args[i].substr(flag.size() + 1));
        } else {
            rest.push_back(args[i]);
        }
    }
    if (!values.empty()) {
        std::string joined;
        for (const auto& value : values) joined += (joined.empty() ? "" : ",") + value;
        rest.push_back(flag + "=" + joined);
    }
    return rest;
}

std::optional<std::string> read_secret_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::ostringstream content;
    content << in.rdbuf();
    std::string text = content.str();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
        text.pop_back();
    }
    return text;
}

std::string host_of_url(const std::string& url) {
    auto start = url.find("://");
    start = start == std::string::npos ? 0 : start + 3;
    if (start < url.size() && url[start] == '[') {  // an IPv6 literal keeps its brackets
        auto close = url.find(']', start);
        return url.substr(start,
                          close == std::string::npos ? std::string::npos : close - start + 1);
    }
    auto end = url.find_first_of(":/", start);
    return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// Loopback names and addresses: a token sent there never leaves the host.
bool is_loopback_host(const std::string& host) {
    if (host == "localhost" || host == "[::1]") return true;
    Poco::Net::IPAddress address;
    return Poco::Net::IPAddress::tryParse(host, address) && address.isLoopback();
}

// The hosts the git token may go to: GitHub's (github.com for api.github.com), else the
// Enterprise host that serves both the API and git.
std::vector<std::string> git_token_hosts_for(const std::string& api_host) {
    std::string host = api_host;
    std::transform(host.begin(), host.end(), host.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (host == "api.github.com") return {"github.com"};
    return {host};
}

}  // namespace

std::variant<Settings, options::Outcome> parse_settings(const std::vector<std::string>& args,
                                                        const options::EnvLookup& env) {
    // PORT alone (as platforms set it) stands for FMG_HTTP_LISTEN=0.0.0.0:PORT.
    options::EnvLookup with_port = [&env](const std::string& name) {
        auto value = env(name);
        if (!value && name == "FMG_HTTP_LISTEN") {
            if (auto port = env("PORT")) return std::optional<std::string>("0.0.0.0:" + *port);
        }
        return value;
    };
    options::Parser parser("fmg-coordinator", "[OPTIONS]",
                           "The fmg coordinator: receives GitHub webhooks, schedules jobs on "
                           "agents over ZeroMQ, stores state in SQLite and serves the REST API.",
                           specs());
    options::Outcome outcome = parser.parse(gather_trust_forks(args), with_port);
    if (outcome.kind != options::Outcome::Kind::run) return outcome;
    const options::Values& v = outcome.values;

    Settings s;
    std::string listen = v.text("http-listen");
    auto colon = listen.rfind(':');
    s.http_host = listen.substr(0, colon);
    s.http_port = static_cast<uint16_t>(std::stoi(listen.substr(colon + 1)));
    s.agent_listen = v.text("agent-listen");
    s.data_dir = std::filesystem::absolute(v.text("data-dir")).lexically_normal();
    if (auto orb_dir = v.get("orb-dir")) {
        s.orb_dir = std::filesystem::absolute(*orb_dir).lexically_normal().string();
    }
    s.public_url = v.text("public-url");
    while (!s.public_url.empty() && s.public_url.back() == '/') s.public_url.pop_back();
    s.github_api_url = v.text("github-api-url");
    while (!s.github_api_url.empty() && s.github_api_url.back() == '/') s.github_api_url.pop_back();
    s.heartbeat_interval_ms = v.integer("heartbeat-interval");
    s.agent_timeout_ms = v.integer("agent-timeout");
    s.max_attempts = v.integer("max-attempts");
    s.job_timeout_ms = v.integer("job-timeout") * 1000;
    s.log_cap_bytes = v.integer("log-cap");
    s.max_artifact_bytes = v.integer("max-artifact-size");
    s.max_cache_bytes = v.integer("max-cache-size");
    s.artifact_retention_days = v.integer("artifact-retention-days");
    s.workspace_retention_days = v.integer("workspace-retention-days");
    s.cache_retention_days = v.integer("cache-retention-days");
    s.store_quota_bytes = v.integer("store-quota");
    s.insecure_agents = v.flag("insecure-agents");
    if (auto trusted = v.get("trust-forks")) s.trust_forks = split_list(*trusted);
    s.allow_insecure_github_api = v.flag("allow-insecure-github-api");
    s.fetch_timeout_ms = v.integer("fetch-timeout");

    auto usage_error = [](std::string message) {
        options::Outcome error;
        error.kind = options::Outcome::Kind::usage_error;
        error.message = "fmg-coordinator: " + message;
        return error;
    };
    if (auto file = v.get("webhook-secret-file")) {
        s.webhook_secret = read_secret_file(*file);
        if (!s.webhook_secret) return usage_error("cannot read --webhook-secret-file " + *file);
        // An empty key would let anyone sign deliveries.
        if (s.webhook_secret->empty())
            return usage_error("--webhook-secret-file " + *file + " is empty");
    } else if (auto secret = env("WEBHOOK_SECRET"); secret && !secret->empty()) {
        s.webhook_secret = secret;
    }
    if (auto file = v.get("github-token-file")) {
        s.github_token = read_secret_file(*file);
        if (!s.github_token) return usage_error("cannot read --github-token-file " + *file);
    } else if (auto token = env("GITHUB_TOKEN"); token && !token->empty()) {
        s.github_token = token;
    }
    s.tls_cert = v.text("tls-cert");
    s.tls_key = v.text("tls-key");
    if (s.tls_cert.empty() != s.tls_key.empty()) {
        return usage_error("--tls-cert and --tls-key go together");
    }
    for (const std::string* file : {&s.tls_cert, &s.tls_key}) {
        if (!file->empty() && !read_secret_file(*file)) {
            return usage_error("cannot read " + *file);
        }
    }
    if (!s.tls_cert.empty()) {
        // Loaded once here, so a bad certificate or key is a usage error, not a failed start.
        try {
            tls_server_context(s.tls_cert, s.tls_key);
        } catch (const std::runtime_error& e) {
            return usage_error(e.what());
        }
    }
    if (s.agent_timeout_ms <= s.heartbeat_interval_ms) {
        return usage_error("--agent-timeout must be longer than --heartbeat-interval");
    }
    if (auto grace = v.get("restart-grace")) {
        s.restart_grace_ms = std::stoll(*grace);
        if (s.restart_grace_ms < 2 * s.agent_timeout_ms) {
            return usage_error("--restart-grace must be at least 2 x --agent-timeout (" +
                               std::to_string(2 * s.agent_timeout_ms) + " ms)");
        }
    } else {
        s.restart_grace_ms = std::max<int64_t>(2 * s.agent_timeout_ms, kDefaultRestartGraceMs);
    }
    const std::string api_host = host_of_url(s.github_api_url);
    if (s.github_api_url.rfind("http://", 0) == 0 && !is_loopback_host(api_host) &&
        !s.allow_insecure_github_api) {
        return usage_error("--github-api-url " + s.github_api_url +
                           " is plain http: the GitHub token would cross the network in clear. "
                           "Use https, or pass --allow-insecure-github-api if you mean it");
    }
    s.git_token_hosts = git_token_hosts_for(api_host);
    if (auto url = v.get("agent-url")) {
        s.agent_url = *url;
    } else {
        std::string port = s.agent_listen.substr(s.agent_listen.rfind(':') + 1);
        s.agent_url = s.agent_listen.rfind("tcp://", 0) == 0
                          ? "tcp://" + host_of_url(s.public_url) + ":" + port
                          : s.agent_listen;
    }
    return s;
}

}  // namespace fmg::coordinator
