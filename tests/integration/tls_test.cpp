// TLS for the REST API, webhooks and /healthz (--tls-cert/--tls-key; docs/security.md "TLS"):
// a whole cluster over https (the CLI with --ca-file, signed webhooks, a job run by an agent);
// the CLI refuses the coordinator's certificate without its CA and takes it with
// --insecure-skip-verify; plain HTTP on the TLS port gets nothing; and silent TLS clients
// (no handshake, or a handshake and no request) cost no worker: requests still get answers.

#include <Poco/Net/Context.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/StreamSocketImpl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>

#include "tests/support/binaries.h"
#include "tests/support/cluster.h"
#include "tests/support/json.h"
#include "tests/support/raw_client.h"

using namespace fmg::testing;

TEST_CASE(
    "e2e: over TLS the CLI, webhooks and agents work, and an untrusted certificate is refused") {
    ClusterOptions options;
    options.tls = true;
    Cluster cluster(options);
    REQUIRE(cluster.server_url().rfind("https://", 0) == 0);
    cluster.start_runner("runner-1", machine_agent_options());
    GitRepo repo = cluster.make_repo();
    repo.write_config(R"yaml(version: 2.1
jobs:
  build:
    machine: true
    steps:
      - run: echo "over tls"
workflows:
  ci:
    jobs: [build]
)yaml");
    // A signed webhook over https, a job run, its log read by the CLI with --ca-file.
    const int64_t id = cluster.push(repo, repo.commit("Build"));
    REQUIRE(string_field(cluster.wait_for_final(id), "status") == "success");
    CHECK_THAT(cluster.job_log(id, "build"), Catch::Contains("over tls"));
    const CommandResult follow = cluster.fmg({"logs", std::to_string(id), "build", "--follow"});
    CHECK(follow.ok());

    // Without the CA the CLI refuses the certificate before sending the token.
    const std::vector<std::string> list = {"--server-url", cluster.server_url(), "--token",
                                           cluster.admin_token(), "list"};
    ProcessOptions untrusted;
    untrusted.argv = {cli_binary().string()};
    untrusted.argv.insert(untrusted.argv.end(), list.begin(), list.end());
    const CommandResult refused = run_command(untrusted, std::chrono::seconds(30));
    INFO(refused.describe(untrusted.argv));
    CHECK(refused.status.exited_with(3));
    CHECK_THAT(refused.err,
               Catch::Contains("cannot trust the coordinator") && Catch::Contains("--ca-file"));
    ProcessOptions skipping = untrusted;
    skipping.argv.insert(skipping.argv.begin() + 1, "--insecure-skip-verify");
    CHECK(run_command(skipping, std::chrono::seconds(30)).ok());

    // Plain HTTP on the TLS port is not served.
    std::string http_url = cluster.server_url();
    http_url.replace(0, 5, "http");
    CHECK(HttpClient(http_url, cluster.admin_token(), std::chrono::seconds(5))
              .get("/api/v1/pipelines")
              .status == 0);
}

namespace {

/// A TLS connection from `source` (a loopback address) that completes its handshake with the
/// coordinator and then says nothing.
Poco::Net::SecureStreamSocket handshaken_from(const std::string& source, uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, source.c_str(), &local.sin_addr);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0);
    sockaddr_in remote{};
    remote.sin_family = AF_INET;
    remote.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote) == 0);
    static const Poco::Net::Context::Ptr context = new Poco::Net::Context(
        Poco::Net::Context::TLS_CLIENT_USE, "", "", "", Poco::Net::Context::VERIFY_NONE, 9, false);
    Poco::Net::SecureStreamSocket secure = Poco::Net::SecureStreamSocket::attach(
        Poco::Net::StreamSocket(new Poco::Net::StreamSocketImpl(fd)), context);
    REQUIRE(secure.completeHandshake() == 1);
    return secure;
}

}  // namespace

TEST_CASE("e2e: over TLS the dashboard's session cookie is Secure") {
    ClusterOptions options;
    options.tls = true;
    Cluster cluster(options);
    const HttpClient browser = HttpClient(cluster.server_url()).trusting(cluster.tls_ca_file());
    const HttpResponse logged_in =
        browser.request("POST", "/login", "token=" + cluster.admin_token(),
                        {{"Content-Type", "application/x-www-form-urlencoded"}});
    INFO(logged_in.describe());
    REQUIRE(logged_in.status == 303);
    CHECK_THAT(logged_in.header("Set-Cookie"),
               Catch::Contains("; Secure") && Catch::Contains("; HttpOnly"));
}

TEST_CASE("attack: silent TLS clients hold no worker: the API answers while 80 of them wait") {
    ClusterOptions options;
    options.tls = true;
    Cluster cluster(options);
    const uint16_t port = port_of(cluster.server_url());
    // More than the 32 workers: 40 that never start a handshake, 40 that finish it and then
    // send no request, from addresses the per-address cap (32) lets through.
    const std::vector<std::string> sources = {"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"};
    std::vector<RawConnection> silent;
    std::vector<Poco::Net::SecureStreamSocket> quiet;
    for (int i = 0; i < 40; ++i) {
        silent.emplace_back(sources[static_cast<size_t>(i) % sources.size()], port);
        quiet.push_back(handshaken_from(sources[static_cast<size_t>(i) % sources.size()], port));
    }
    for (int i = 0; i < 3; ++i) {
        const CommandResult list = cluster.fmg({"list"}, std::chrono::seconds(10));
        INFO(list.describe({"fmg", "list"}));
        CHECK(list.ok());
    }
    CHECK(cluster.api().get("/api/v1/runners").status == 200);
}
