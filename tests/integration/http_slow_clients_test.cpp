// Attackers against the HTTP server with no credentials at all: more idle, slow-header and
// slow-body connections than the server has workers, from other loopback addresses, while a
// legitimate client on 127.0.0.1 checks that /healthz, a signed webhook and an authenticated
// API call still answer within a second (issue 10 item 1; the bound is the issue's). Also the
// header deadline (408) and the per-address cap (503 with a body, another address served).

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "tests/support/cluster.h"
#include "tests/support/raw_client.h"
#include "tests/support/webhook.h"

using namespace fmg::testing;
using namespace std::chrono_literals;

namespace {

/// The server has 32 workers (coordinator/http/constants.h kHttpWorkers); the attackers open
/// well over that many connections, spread over addresses so no per-address cap (32) refuses
/// them: every one of them is held open.
constexpr int kAttackers = 100;
const std::vector<std::string> kAttackerAddresses = {"127.0.0.2", "127.0.0.3", "127.0.0.4",
                                                     "127.0.0.5"};

/// What the issue asks: each legitimate request answers within a second.
constexpr auto kServedWithin = 1000ms;

std::vector<RawConnection> open_attackers(uint16_t port) {
    std::vector<RawConnection> connections;
    for (int i = 0; i < kAttackers; ++i) {
        connections.emplace_back(kAttackerAddresses[i % kAttackerAddresses.size()], port);
    }
    return connections;
}

/// Times one request; checks its status and that it answered within kServedWithin.
template <typename Request>
void check_answers_in_time(const std::string& what, int expected_status, Request request) {
    auto start = std::chrono::steady_clock::now();
    HttpResponse response = request();
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    INFO(what << ": " << response.describe() << " after " << took.count() << " ms");
    CHECK(response.status == expected_status);
    CHECK(took < kServedWithin);
}

/// /healthz, a signed webhook and an API call from 127.0.0.1, each within a second.
void check_served(const Cluster& cluster) {
    HttpClient plain(cluster.server_url(), "", 5s);
    HttpClient api(cluster.server_url(), cluster.admin_token(), 5s);
    for (int round = 0; round < 3; ++round) {
        check_answers_in_time("GET /healthz", 200, [&] { return plain.get("/healthz"); });
        check_answers_in_time("signed ping webhook", 200, [&] {
            return cluster.deliver("ping", ping_payload("octo", "demo"), new_delivery_id());
        });
        check_answers_in_time("GET /api/v1/pipelines", 200,
                              [&] { return api.get("/api/v1/pipelines"); });
    }
}

/// Sends one byte of `text` to every connection every half second, from a thread, until
/// destroyed: clients that never finish what they send.
class Trickler {
  public:
    Trickler(std::vector<RawConnection>& connections, std::string text)
        : thread_([this, &connections, text] {
              for (size_t i = 0; !stop_; ++i) {
                  for (auto& connection : connections)
                      connection.send(text.substr(i % text.size(), 1));
                  for (int wait = 0; wait < 10 && !stop_; ++wait) std::this_thread::sleep_for(50ms);
              }
          }) {}
    ~Trickler() {
        stop_ = true;
        thread_.join();
    }

  private:
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace

TEST_CASE(
    "http: idle connections beyond the worker count stop neither healthz, webhooks nor the API") {
    Cluster cluster;
    auto idle = open_attackers(port_of(cluster.server_url()));
    check_served(cluster);
}

TEST_CASE(
    "http: slow-header clients beyond the worker count stop neither healthz, webhooks nor the "
    "API") {
    Cluster cluster;
    auto slow = open_attackers(port_of(cluster.server_url()));
    Trickler trickler(slow, "GET /api/v1/pipelines HTTP/1.1\r\nX-Slow: ");
    std::this_thread::sleep_for(1s);  // the first bytes of every head are in
    check_served(cluster);
}

TEST_CASE(
    "http: slow-body clients beyond the worker count stop neither healthz, webhooks nor the API") {
    Cluster cluster;
    auto slow = open_attackers(port_of(cluster.server_url()));
    for (size_t i = 0; i < slow.size(); ++i) {
        // Half declare a body the size of a typical webhook, half one of 20 MB.
        std::string length = i % 2 ? "20000000" : "20000";
        REQUIRE(
            slow[i].send("POST /webhook HTTP/1.1\r\nHost: x\r\nX-GitHub-Event: push\r\n"
                         "Content-Type: application/json\r\nContent-Length: " +
                         length + "\r\n\r\n{"));
    }
    Trickler trickler(slow, "\"a\":1,");
    std::this_thread::sleep_for(1s);
    check_served(cluster);
}

TEST_CASE("http: a client without a complete request in time gets 408 and is closed") {
    Cluster cluster;
    RawConnection silent("127.0.0.2", port_of(cluster.server_url()));
    RawConnection partial("127.0.0.2", port_of(cluster.server_url()));
    REQUIRE(partial.send("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
    // The deadline is 10 s (kRequestHeadDeadline); the wait allows a loaded machine.
    for (RawConnection* connection : {&silent, &partial}) {
        std::string answer = connection->read_until_closed(30s);
        INFO(answer);
        CHECK(status_of(answer) == 408);  // Poco's reason phrase: "Request Time-out"
        CHECK(answer.find("{\"error\":") != std::string::npos);
        CHECK(connection->closed());
    }
}

TEST_CASE(
    "http: one address past its connection cap gets 503 with a body while another is served") {
    Cluster cluster;
    const uint16_t port = port_of(cluster.server_url());
    std::vector<RawConnection> held;
    for (int i = 0; i < 32; ++i) held.emplace_back("127.0.0.2", port);  // the cap per address
    // The server counts a connection once it accepted it; give it the time to accept all.
    HttpClient plain(cluster.server_url(), "", 5s);
    cluster.wait_until(
        deadline_after(10s),
        [&] {
            RawConnection probe("127.0.0.2", port);
            probe.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            return status_of(probe.read_until_closed(5s)) == 503;
        },
        "a 33rd connection from 127.0.0.2 to be refused");

    RawConnection excess("127.0.0.2", port);
    excess.send("GET /api/v1/pipelines HTTP/1.1\r\nHost: x\r\n\r\n");
    std::string answer = excess.read_until_closed(10s);
    INFO(answer);
    CHECK(status_line_of(answer) == "HTTP/1.1 503 Service Unavailable");
    CHECK(answer.find("Retry-After: ") != std::string::npos);
    CHECK(answer.find("{\"error\":\"too many connections from 127.0.0.2\"}") != std::string::npos);
    CHECK(excess.closed());

    // 127.0.0.1 is another address: served as ever.
    check_served(cluster);
    RawConnection other("127.0.0.3", port);
    other.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(status_line_of(other.read_until_closed(10s)) == "HTTP/1.1 200 OK");

    // Closing the held connections frees the address's slots.
    held.clear();
    cluster.wait_until(
        deadline_after(10s),
        [&] {
            RawConnection again("127.0.0.2", port);
            again.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            return status_of(again.read_until_closed(5s)) == 200;
        },
        "127.0.0.2 to be served again after closing its connections");
}

TEST_CASE(
    "http: with every worker busy and the queue full, requests get 503 and /healthz answers") {
    Cluster cluster;
    const uint16_t port = port_of(cluster.server_url());
    // Authenticated clients that send a request head and the first 64 KiB of a 1 MB body
    // (enough for the gate to hand them on), then the rest a byte at a time: each holds a
    // worker reading its body. 100 of them: 32 workers busy, 64 waiting (kHttpQueuedRequests),
    // the rest refused.
    const std::string head =
        "POST /api/v1/pipelines HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
        cluster.admin_token() +
        "\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n";
    auto busy = open_attackers(port);
    for (auto& connection : busy) REQUIRE(connection.send(head + std::string(64 * 1024, ' ')));
    Trickler trickler(busy, " ");

    HttpClient plain(cluster.server_url(), "", 5s);
    cluster.wait_until(
        deadline_after(30s), [&] { return plain.get("/api/v1/pipelines").status == 503; },
        "an API call to find every worker and the queue taken");
    HttpResponse refused =
        HttpClient(cluster.server_url(), cluster.admin_token(), 5s).get("/api/v1/pipelines");
    INFO(refused.describe());
    CHECK(refused.status == 503);
    CHECK(refused.json()->getValue<std::string>("error").find("busy") != std::string::npos);
    // The gate answers /healthz itself, so it answers now too.
    check_answers_in_time("GET /healthz", 200, [&] { return plain.get("/healthz"); });

    busy.clear();  // the clients go away; their workers' reads fail and the workers are free
    cluster.wait_until(
        deadline_after(30s), [&] { return plain.get("/metrics").status == 200; },
        "the workers to be free again");
    const std::string metrics = plain.get("/metrics").body;
    INFO(metrics);
    CHECK(metrics.find("fmg_http_refused_total{cause=\"queue_full\"} 0\n") == std::string::npos);
    check_served(cluster);
}
