// fmg-coordinator's flags and environment (SPEC "fmg-coordinator").

#include "coordinator/setup/settings.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "tests/unit/coordinator/store_fixture.h"

using namespace fmg::coordinator;
using fmg::options::Outcome;

namespace {

using Env = std::map<std::string, std::string>;

fmg::options::EnvLookup lookup(const Env& env) {
    return [env](const std::string& name) -> std::optional<std::string> {
        auto it = env.find(name);
        if (it == env.end()) return std::nullopt;
        return it->second;
    };
}

std::variant<Settings, Outcome> parse(const std::vector<std::string>& args, const Env& env = {}) {
    return parse_settings(args, lookup(env));
}

Settings parse_ok(const std::vector<std::string>& args, const Env& env = {}) {
    auto result = parse(args, env);
    if (auto* outcome = std::get_if<Outcome>(&result)) FAIL("not run: " << outcome->message);
    return std::get<Settings>(result);
}

/// The usage error's message; empty when the arguments were accepted (the checks on it fail).
std::string usage_error(const std::vector<std::string>& args, const Env& env = {}) {
    auto result = parse(args, env);
    const auto* outcome = std::get_if<Outcome>(&result);
    if (outcome == nullptr || outcome->kind != Outcome::Kind::usage_error) return "";
    return outcome->message;
}

void write_file(const std::filesystem::path& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary);
    out << content;
}

}  // namespace

TEST_CASE("coordinator defaults are SPEC's") {
    Settings s = parse_ok({});
    CHECK(s.http_host == "0.0.0.0");
    CHECK(s.http_port == 5000);
    CHECK(s.agent_listen == "tcp://0.0.0.0:5555");
    CHECK(s.data_dir == (std::filesystem::current_path() / "data").lexically_normal());
    CHECK(s.public_url == "http://localhost:5000");
    CHECK_FALSE(s.webhook_secret.has_value());
    CHECK_FALSE(s.github_token.has_value());
    CHECK(s.github_api_url == "https://api.github.com");
    CHECK(s.heartbeat_interval_ms == 1000);
    CHECK(s.agent_timeout_ms == 3000);
    CHECK(s.max_attempts == 3);
    CHECK_FALSE(s.insecure_agents);
    // Agents are told to reach the public host on the agent port.
    CHECK(s.agent_url == "tcp://localhost:5555");
}

TEST_CASE("PORT sets the HTTP port alone, unless FMG_HTTP_LISTEN or the flag says otherwise") {
    Settings s = parse_ok({}, {{"PORT", "8080"}});
    CHECK(s.http_host == "0.0.0.0");
    CHECK(s.http_port == 8080);

    s = parse_ok({}, {{"PORT", "8080"}, {"FMG_HTTP_LISTEN", "127.0.0.1:9000"}});
    CHECK(s.http_host == "127.0.0.1");
    CHECK(s.http_port == 9000);

    s = parse_ok({"--http-listen", "127.0.0.1:7000"}, {{"PORT", "8080"}});
    CHECK(s.http_host == "127.0.0.1");
    CHECK(s.http_port == 7000);

    CHECK_FALSE(usage_error({}, {{"PORT", "eighty"}}).empty());
}

TEST_CASE("flags override environment variables") {
    Settings s = parse_ok({"--max-attempts", "5", "--public-url", "https://ci.example.com/"},
                          {{"FMG_MAX_ATTEMPTS", "2"}, {"FMG_HEARTBEAT_MS", "500"}});
    CHECK(s.max_attempts == 5);
    CHECK(s.heartbeat_interval_ms == 500);
    // No trailing slash, so target_url never has "//".
    CHECK(s.public_url == "https://ci.example.com");
}

TEST_CASE("the webhook secret comes from WEBHOOK_SECRET or --webhook-secret-file, trimmed") {
    testing::TempDir dir;
    CHECK(parse_ok({}, {{"WEBHOOK_SECRET", "s3cr3t"}}).webhook_secret == "s3cr3t");
    CHECK_FALSE(parse_ok({}, {{"WEBHOOK_SECRET", ""}}).webhook_secret.has_value());

    auto file = dir.path() / "webhook.secret";
    write_file(file, "from-file s3cr3t\n");
    Settings s = parse_ok({"--webhook-secret-file", file.string()}, {{"WEBHOOK_SECRET", "env"}});
    CHECK(s.webhook_secret == "from-file s3cr3t");

    write_file(dir.path() / "token", "ghp_abcdef\r\n");
    CHECK(parse_ok({"--github-token-file", (dir.path() / "token").string()}).github_token ==
          "ghp_abcdef");
    CHECK(parse_ok({}, {{"GITHUB_TOKEN", "ghp_env"}}).github_token == "ghp_env");
}

TEST_CASE("an unreadable secret file is a usage error naming it") {
    testing::TempDir dir;
    auto missing = (dir.path() / "missing.secret").string();
    CHECK_THAT(usage_error({"--webhook-secret-file", missing}), Catch::Contains(missing));
    CHECK_THAT(usage_error({"--github-token-file", missing}), Catch::Contains(missing));
}

TEST_CASE("an empty webhook secret file is refused, never an empty HMAC key") {
    // With an empty secret anyone can sign a webhook; SPEC: bad values are a clear error.
    testing::TempDir dir;
    auto file = dir.path() / "webhook.secret";
    write_file(file, "\n");
    CHECK_THAT(usage_error({"--webhook-secret-file", file.string()}),
               Catch::Contains(file.string()));
}

TEST_CASE("the agent timeout must be longer than the heartbeat interval") {
    CHECK_THAT(usage_error({"--agent-timeout", "1000", "--heartbeat-interval", "1000"}),
               Catch::Contains("agent-timeout"));
    CHECK_FALSE(usage_error({"--agent-timeout", "500"}).empty());
    Settings s = parse_ok({"--agent-timeout", "1500", "--heartbeat-interval", "500"});
    CHECK(s.agent_timeout_ms == 1500);
}

TEST_CASE("bad values and unknown flags are usage errors") {
    CHECK_FALSE(usage_error({"--max-attempts", "0"}).empty());
    CHECK_FALSE(usage_error({"--http-listen", "5000"}).empty());
    CHECK_FALSE(usage_error({"--agent-listen", "0.0.0.0:5555"}).empty());
    CHECK_FALSE(usage_error({"--public-url", "ci.example.com"}).empty());
    CHECK_FALSE(usage_error({"--no-such-flag"}).empty());
}

TEST_CASE("the agent URL is the public host with the agent-listen port") {
    Settings s = parse_ok({"--public-url", "https://ci.example.com:8443/fmg", "--agent-listen",
                           "tcp://0.0.0.0:6000"});
    CHECK(s.agent_url == "tcp://ci.example.com:6000");

    s = parse_ok({"--agent-url", "tcp://agents.example.com:7000"});
    CHECK(s.agent_url == "tcp://agents.example.com:7000");

    s = parse_ok({"--agent-listen", "ipc:///run/fmg/agents.sock"});
    CHECK(s.agent_url == "ipc:///run/fmg/agents.sock");
}

TEST_CASE("an IPv6 public URL gives agents a usable endpoint") {
    Settings s = parse_ok({"--public-url", "http://[2001:db8::1]:5000"});
    CHECK(s.agent_url == "tcp://[2001:db8::1]:5555");
}

TEST_CASE("the data dir is made absolute") {
    Settings s = parse_ok({"--data-dir", "var/../state"});
    CHECK(s.data_dir.is_absolute());
    CHECK(s.data_dir == (std::filesystem::current_path() / "state").lexically_normal());
    CHECK(parse_ok({}, {{"FMG_DATA_DIR", "/srv/fmg"}}).data_dir == "/srv/fmg");
}

TEST_CASE("the restart grace outlasts an agent's longest reconnect backoff by default") {
    CHECK(parse_ok({}).restart_grace_ms == 6000);
    CHECK(parse_ok({"--agent-timeout", "1500"}).restart_grace_ms == 6000);
    CHECK(parse_ok({"--agent-timeout", "5000"}).restart_grace_ms == 10000);
    CHECK(parse_ok({"--restart-grace", "20000"}).restart_grace_ms == 20000);
    CHECK(parse_ok({}, {{"FMG_RESTART_GRACE_MS", "7000"}}).restart_grace_ms == 7000);
    CHECK_THAT(usage_error({"--agent-timeout", "3000", "--restart-grace", "5999"}),
               Catch::Contains("--restart-grace must be at least 2 x --agent-timeout (6000 ms)"));
}

TEST_CASE("the log cap is 64 MiB unless --log-cap or FMG_LOG_CAP_BYTES says otherwise") {
    CHECK(parse_ok({}).log_cap_bytes == 64 * 1024 * 1024);
    CHECK(parse_ok({"--log-cap", "65536"}).log_cap_bytes == 65536);
    CHECK(parse_ok({}, {{"FMG_LOG_CAP_BYTES", "1048576"}}).log_cap_bytes == 1048576);
    CHECK(parse_ok({"--log-cap", "200000"}, {{"FMG_LOG_CAP_BYTES", "1048576"}}).log_cap_bytes ==
          200000);
}

TEST_CASE("a log cap under 64 KiB or not a number of bytes is a usage error saying so") {
    CHECK_THAT(usage_error({"--log-cap", "65535"}),
               Catch::Contains("--log-cap") && Catch::Contains("65536 (64 KiB)"));
    CHECK_THAT(usage_error({"--log-cap", "64M"}), Catch::Contains("--log-cap"));
    CHECK_THAT(usage_error({}, {{"FMG_LOG_CAP_BYTES", "-1"}}),
               Catch::Contains("FMG_LOG_CAP_BYTES"));
}

TEST_CASE("--help lists the log cap with its variable and default") {
    auto result = parse({"--help"});
    const auto* outcome = std::get_if<Outcome>(&result);
    REQUIRE(outcome != nullptr);
    CHECK(outcome->kind == Outcome::Kind::exit_ok);
    CHECK_THAT(outcome->message, Catch::Contains("--log-cap BYTES"));
    CHECK_THAT(outcome->message, Catch::Contains("FMG_LOG_CAP_BYTES"));
    CHECK_THAT(outcome->message, Catch::Contains("67108864"));
}

TEST_CASE(
    "settings: --trust-forks is repeatable, or a comma-separated FMG_TRUST_FORKS, each "
    "OWNER/NAME") {
    CHECK(parse_ok({}).trust_forks.empty());  // by default every fork waits for approval
    CHECK(parse_ok({"--trust-forks", "octo/demo", "--trust-forks=acme/tools.js"}).trust_forks ==
          std::vector<std::string>{"octo/demo", "acme/tools.js"});
    CHECK(parse_ok({}, {{"FMG_TRUST_FORKS", "octo/demo, acme/x_y"}}).trust_forks ==
          std::vector<std::string>{"octo/demo", "acme/x_y"});
    // The flag wins over the environment, as for every option.
    CHECK(parse_ok({"--trust-forks", "octo/demo"}, {{"FMG_TRUST_FORKS", "acme/x"}}).trust_forks ==
          std::vector<std::string>{"octo/demo"});

    for (const std::string& bad :
         std::vector<std::string>{"octo", "octo/", "/demo", "octo/demo/x", "-octo/demo", "octo/..",
                                  "oc to/demo", "octo/de mo", "*/*", std::string(40, 'o') + "/demo",
                                  "octo/" + std::string(101, 'n')}) {
        INFO(bad);
        CHECK_THAT(usage_error({"--trust-forks", bad}), Catch::Contains("OWNER/NAME"));
    }
    CHECK_THAT(usage_error({}, {{"FMG_TRUST_FORKS", "octo/demo,https://github.com/acme/x"}}),
               Catch::Contains("https://github.com/acme/x"));
    CHECK_THAT(usage_error({"--trust-forks"}), Catch::Contains("trust-forks"));
}

TEST_CASE("an http:// GitHub API URL is refused unless its host is loopback or the flag says so") {
    CHECK_THAT(usage_error({"--github-api-url", "http://ghe.example.com/api/v3"}),
               Catch::Contains("--allow-insecure-github-api"));
    CHECK_THAT(usage_error({}, {{"FMG_GITHUB_API_URL", "http://10.0.0.5"}}),
               Catch::Contains("in clear"));
    for (const char* loopback :
         {"http://127.0.0.1:8080", "http://127.1.2.3", "http://localhost:1", "http://[::1]:8080"}) {
        INFO(loopback);
        CHECK(parse_ok({"--github-api-url", loopback}).github_api_url == loopback);
    }
    const Settings allowed = parse_ok(
        {"--github-api-url", "http://ghe.example.com/api/v3", "--allow-insecure-github-api"});
    CHECK(allowed.allow_insecure_github_api);
}

TEST_CASE("the git token goes to github.com, or to the GitHub Enterprise host") {
    CHECK(parse_ok({}).git_token_hosts == std::vector<std::string>{"github.com"});
    CHECK(parse_ok({"--github-api-url", "https://GHE.example.com/api/v3"}).git_token_hosts ==
          std::vector<std::string>{"ghe.example.com"});
    CHECK(parse_ok({"--github-api-url", "https://ghe.example.com:8443/api/v3"}).git_token_hosts ==
          std::vector<std::string>{"ghe.example.com"});
}

TEST_CASE("settings: --fetch-timeout takes milliseconds from 100 to an hour") {
    CHECK(parse_ok({}).fetch_timeout_ms == kDefaultFetchTimeoutMs);
    CHECK(parse_ok({"--fetch-timeout", "2500"}).fetch_timeout_ms == 2500);
    CHECK(parse_ok({}, {{"FMG_FETCH_TIMEOUT_MS", "1000"}}).fetch_timeout_ms == 1000);
    CHECK_FALSE(usage_error({"--fetch-timeout", "99"}).empty());
    CHECK_FALSE(usage_error({"--fetch-timeout", "3600001"}).empty());
    CHECK_FALSE(usage_error({"--fetch-timeout", "soon"}).empty());
}

TEST_CASE("the file store's limits and retention default as docs/spec.md says") {
    const Settings defaults = parse_ok({});
    CHECK(defaults.max_artifact_bytes == 5368709120);
    CHECK(defaults.max_cache_bytes == 5368709120);
    CHECK(defaults.artifact_retention_days == 30);
    CHECK(defaults.workspace_retention_days == 15);
    CHECK(defaults.cache_retention_days == 15);
    CHECK(defaults.store_quota_bytes == 0);

    const Settings set = parse_ok({"--max-cache-size", "2048", "--artifact-retention-days", "0",
                                   "--store-quota", "1073741824"},
                                  {{"FMG_CACHE_RETENTION_DAYS", "7"},
                                   {"FMG_WORKSPACE_RETENTION_DAYS", "1"},
                                   {"FMG_STORE_QUOTA", "5"}});
    CHECK(set.max_cache_bytes == 2048);
    CHECK(set.artifact_retention_days == 0);
    CHECK(set.cache_retention_days == 7);
    CHECK(set.workspace_retention_days == 1);
    CHECK(set.store_quota_bytes == 1073741824);  // the flag over FMG_STORE_QUOTA

    CHECK_THAT(usage_error({"--max-cache-size", "1023"}), Catch::Contains("--max-cache-size"));
    CHECK_THAT(usage_error({"--cache-retention-days", "-1"}),
               Catch::Contains("--cache-retention-days"));
    CHECK_THAT(usage_error({"--store-quota", "10G"}), Catch::Contains("--store-quota"));
}

TEST_CASE("the TLS certificate and key go together, from flags or FMG_TLS_CERT and FMG_TLS_KEY") {
    testing::TempDir dir;
    const auto cert = (dir.path() / "tls.crt").string();
    const auto key = (dir.path() / "tls.key").string();
    const std::string make =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
        "-nodes -days 1 -subj /CN=127.0.0.1 -keyout '" +
        key + "' -out '" + cert + "' 2>/dev/null";
    REQUIRE(std::system(make.c_str()) == 0);
    CHECK(parse_ok({}).tls_cert.empty());
    Settings s = parse_ok({"--tls-cert", cert, "--tls-key", key});
    CHECK(s.tls_cert == cert);
    CHECK(s.tls_key == key);
    CHECK(parse_ok({}, {{"FMG_TLS_CERT", cert}, {"FMG_TLS_KEY", key}}).tls_key == key);
    CHECK_THAT(usage_error({"--tls-cert", cert}), Catch::Contains("go together"));
    CHECK_THAT(usage_error({"--tls-key", key}), Catch::Contains("go together"));
    const auto missing = (dir.path() / "missing.key").string();
    CHECK_THAT(usage_error({"--tls-cert", cert, "--tls-key", missing}),
               Catch::Contains("cannot read " + missing));
    // A file that is no PEM key (here: the certificate) is refused at once.
    CHECK_THAT(usage_error({"--tls-cert", cert, "--tls-key", cert}),
               Catch::Contains("--tls-key " + cert));
}
