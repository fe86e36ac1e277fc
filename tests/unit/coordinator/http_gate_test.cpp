// The HTTP gate's pure parts: reading a request head from peeked bytes, routing it, and
// counting connections per address, in all and as followers.

#include <catch2/catch.hpp>

#include "coordinator/http/connection_limits.h"
#include "coordinator/http/request_head.h"

using namespace fmg::coordinator::http;

TEST_CASE("a request head is complete only at its blank line") {
    const std::string head = "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\n";
    for (size_t cut = 0; cut < head.size(); ++cut) {
        CHECK(scan_request_head(head.substr(0, cut), 1024).state == HeadState::incomplete);
    }
    RequestHead scanned = scan_request_head(head + "{\"a\":", 1024);
    REQUIRE(scanned.state == HeadState::complete);
    CHECK(scanned.head_bytes == head.size());
    CHECK(scanned.method == "POST");
    CHECK(scanned.target == "/webhook");
    CHECK(scanned.content_length == 12u);
}

TEST_CASE("a head without a body, with bare newlines, chunked or with conflicting lengths") {
    CHECK(scan_request_head("GET / HTTP/1.1\n\n", 64).content_length == 0u);
    CHECK(scan_request_head("GET / HTTP/1.1\n\n", 64).head_bytes == 16);
    auto chunked = scan_request_head("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 1024);
    CHECK(chunked.state == HeadState::complete);
    CHECK_FALSE(chunked.content_length);
    auto conflicting = scan_request_head(
        "POST / HTTP/1.1\r\ncontent-length: 5\r\nContent-Length: 6\r\n\r\n", 1024);
    CHECK_FALSE(conflicting.content_length);
    CHECK_FALSE(
        scan_request_head("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 1024).content_length);
}

TEST_CASE("a webhook refused unread is handed over without waiting for its body") {
    const std::string good = "sha256=" + std::string(64, 'a');
    auto head = [](const std::string& target, const std::string& signature, size_t length) {
        std::string text = "POST " + target + " HTTP/1.1\r\nHost: x\r\n";
        if (!signature.empty()) text += "X-Hub-Signature-256: " + signature + "\r\n";
        text += "Content-Length: " + std::to_string(length) + "\r\n\r\n";
        RequestHead scanned = scan_request_head(text, 4096);
        REQUIRE(scanned.state == HeadState::complete);
        return scanned;
    };
    // A well-formed signature: the body must come before a worker takes it.
    CHECK_FALSE(answered_before_body(head("/webhook", good, 1000), true));
    // Missing, malformed, no secret, or too long: the worker refuses at once.
    CHECK(answered_before_body(head("/webhook", "", 1000), true));
    CHECK(answered_before_body(head("/webhook", "sha256=abc", 1000), true));
    CHECK(answered_before_body(head("/webhook", "sha1=" + std::string(40, 'a'), 1000), true));
    CHECK(answered_before_body(head("/webhook", good, 1000), false));
    CHECK(answered_before_body(head("/webhook", good, 26 * 1024 * 1024), true));
    // Other endpoints keep their bodies held.
    CHECK_FALSE(answered_before_body(head("/api/v1/pipelines", "", 1000), true));
}

TEST_CASE("a head too large or not HTTP is refused") {
    CHECK(scan_request_head(std::string(100, 'a'), 64).state == HeadState::too_large);
    CHECK(scan_request_head("GET / HTTP/1.1\r\nX: " + std::string(100, 'a'), 64).state ==
          HeadState::too_large);
    CHECK(scan_request_head("NOT-HTTP\r\n\r\n", 64).state == HeadState::malformed);
    CHECK(scan_request_head("get / HTTP/1.1\r\n\r\n", 64).state == HeadState::malformed);
    CHECK(scan_request_head("GET / SMTP\r\n\r\n", 64).state == HeadState::malformed);
}

TEST_CASE("requests are routed: healthz to the gate, follow=1 log requests to the followers") {
    auto route = [](const std::string& method, const std::string& target) {
        RequestHead head = scan_request_head(method + " " + target + " HTTP/1.1\r\n\r\n", 4096);
        REQUIRE(head.state == HeadState::complete);
        return route_of(head);
    };
    CHECK(route("GET", "/healthz") == Route::healthz);
    CHECK(route("GET", "/healthz?x=1") == Route::healthz);
    CHECK(route("POST", "/healthz") == Route::worker);
    CHECK(route("GET", "/api/v1/pipelines/3/jobs/build/log?follow=1") == Route::follower);
    CHECK(route("GET", "/api/v1/pipelines/3/jobs/build/log?attempt=2&follow=true") ==
          Route::follower);
    CHECK(route("GET", "/api/v1/pipelines/3/jobs/build/log") == Route::worker);
    CHECK(route("GET", "/api/v1/pipelines/3/jobs/build/log?follow=0") == Route::worker);
    CHECK(route("GET", "/api/v1/pipelines/3/jobs/build/log?follow=yes") == Route::worker);
    CHECK(route("GET", "/api/v1/pipelines/3?follow=1") == Route::worker);
    CHECK(route("GET", "/api/v1/pipelines/3/jobs/build/log?follow=%zz") == Route::worker);
    CHECK(route("POST", "/webhook") == Route::worker);
}

TEST_CASE("connections are capped per address and in all, and released") {
    ConnectionLimits limits(3, 2, 1);
    CHECK(limits.admit(10, "a") == Admission::admitted);
    CHECK(limits.admit(11, "a") == Admission::admitted);
    CHECK(limits.admit(12, "a") == Admission::address_full);
    CHECK(limits.admit(12, "b") == Admission::admitted);
    CHECK(limits.admit(13, "c") == Admission::total_full);
    CHECK(limits.open_connections() == 3);

    limits.release_fd(10);
    CHECK(limits.admit(10, "a") == Admission::admitted);

    // A worker claims fd 11; the number may then be reused while the ticket still counts.
    uint64_t ticket = limits.claim(11);
    CHECK(ticket != 0);
    limits.release_fd(11);  // no longer the fd of that connection: nothing changes
    CHECK(limits.open_connections() == 3);
    limits.release_ticket(ticket);
    CHECK(limits.open_connections() == 2);
    CHECK(limits.claim(99) == 0);
}

TEST_CASE("followers are capped and released with their connection") {
    ConnectionLimits limits(10, 10, 1);
    REQUIRE(limits.admit(5, "a") == Admission::admitted);
    REQUIRE(limits.admit(6, "a") == Admission::admitted);
    CHECK(limits.start_following(5));
    CHECK_FALSE(limits.start_following(6));
    CHECK(limits.followers() == 1);
    limits.release_ticket(limits.claim(5));
    CHECK(limits.followers() == 0);
    CHECK(limits.start_following(6));
    CHECK(limits.render_metrics().find("fmg_http_log_followers 1\n") != std::string::npos);
}

TEST_CASE("a head asking for 100-continue says so") {
    CHECK(scan_request_head("POST / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 9\r\n\r\n",
                            1024)
              .expects_continue);
    CHECK_FALSE(
        scan_request_head("POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\n", 1024).expects_continue);
}
