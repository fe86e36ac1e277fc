// What the HTTP server answers to requests it refuses (issue 10 item 10): the status line
// carries the reason phrase of its code, and a query with more parameters than Poco parses
// (100) or one that does not decode is the client's error, 400, not 500.

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/raw_client.h"

using namespace fmg::testing;
using namespace std::chrono_literals;

namespace {

/// Sends `request` from 127.0.0.1 and returns the whole answer.
std::string send_raw(const Cluster& cluster, const std::string& request) {
    RawConnection connection("127.0.0.1", port_of(cluster.server_url()));
    REQUIRE(connection.send(request));
    return connection.read_until_closed(30s);
}

std::string get(const Cluster& cluster, const std::string& target, bool with_token) {
    std::string auth =
        with_token ? "Authorization: Bearer " + cluster.admin_token() + "\r\n" : std::string();
    return send_raw(cluster, "GET " + target + " HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n");
}

}  // namespace

TEST_CASE("http: answers carry the reason phrase of their status") {
    Cluster cluster;
    CHECK(status_line_of(get(cluster, "/api/v1/pipelines", false)) == "HTTP/1.1 401 Unauthorized");
    CHECK(status_line_of(get(cluster, "/api/v1/no-such-thing", true)) == "HTTP/1.1 404 Not Found");
    CHECK(status_line_of(get(cluster, "/api/v1/pipelines/999", true)) == "HTTP/1.1 404 Not Found");
    CHECK(status_line_of(get(cluster, "/nowhere", false)) == "HTTP/1.1 404 Not Found");
    CHECK(status_line_of(get(cluster, "/api/v1/pipelines", true)) == "HTTP/1.1 200 OK");
    // A revoked runner's answer has no body, and its status line says so.
    const std::string body = R"({"host": "reason-phrase-runner"})";
    const std::string auth = "Authorization: Bearer " + cluster.admin_token() + "\r\n";
    CHECK(status_line_of(send_raw(cluster, "POST /api/v1/runners HTTP/1.1\r\nHost: x\r\n" + auth +
                                               "Content-Type: application/json\r\n"
                                               "Content-Length: " +
                                               std::to_string(body.size()) + "\r\n\r\n" + body)) ==
          "HTTP/1.1 201 Created");
    CHECK(status_line_of(send_raw(cluster,
                                  "DELETE /api/v1/runners/reason-phrase-runner "
                                  "HTTP/1.1\r\nHost: x\r\n" +
                                      auth + "\r\n")) == "HTTP/1.1 204 No Content");
    // Keep-alive is off: every answer says so and the server closes.
    CHECK(get(cluster, "/healthz", false).find("Connection: close\r\n") != std::string::npos);
}

TEST_CASE("http: 150 query parameters or a malformed query are 400, not 500") {
    Cluster cluster;
    std::string query;
    for (int i = 0; i < 150; ++i) query += (i ? "&p" : "p") + std::to_string(i) + "=1";
    for (const std::string& path :
         {std::string("/api/v1/pipelines"), std::string("/api/v1/pipelines/1/jobs/build/log")}) {
        std::string answer = get(cluster, path + "?" + query, true);
        INFO(answer);
        CHECK(status_line_of(answer) == "HTTP/1.1 400 Bad Request");
        CHECK(answer.find("{\"error\":") != std::string::npos);
    }
    std::string answer = get(cluster, "/api/v1/pipelines?status=%zz", true);
    INFO(answer);
    CHECK(status_line_of(answer) == "HTTP/1.1 400 Bad Request");
    answer = send_raw(cluster, "NOT-HTTP\r\n\r\n");
    INFO(answer);
    CHECK(status_line_of(answer) == "HTTP/1.1 400 Bad Request");
}

TEST_CASE("http: a client that waits for 100 Continue gets it and then its answer") {
    Cluster cluster;
    RawConnection client("127.0.0.1", port_of(cluster.server_url()));
    const std::string body = R"({"repo_url": 7})";
    REQUIRE(client.send("POST /api/v1/pipelines HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                        cluster.admin_token() +
                        "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                        "Content-Length: " +
                        std::to_string(body.size()) + "\r\n\r\n"));
    // A client such as curl sends its body only after this (or after waiting a second).
    std::string interim = client.read_until("\r\n\r\n", 10s);
    INFO(interim);
    REQUIRE(status_line_of(interim) == "HTTP/1.1 100 Continue");
    REQUIRE(client.send(body));
    std::string answer = client.read_until_closed(30s);
    INFO(answer);
    CHECK(answer.find("HTTP/1.1 400 Bad Request\r\n") != std::string::npos);
}
