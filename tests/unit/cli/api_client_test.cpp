// The API client against a real HTTP server on loopback playing the coordinator.

#include "cli/api_client.h"

#include <Poco/JSON/Object.h>

#include <catch2/catch.hpp>
#include <mutex>

#include "fake_coordinator.h"
#include "shared/exit_codes.h"

using namespace fmg::cli;
using namespace fmg::cli::testing;
namespace exit_code = fmg::exit_code;
using Poco::Net::HTTPServerResponse;

namespace {

ApiSettings settings_for(const std::string& url, std::string token = FakeCoordinator::kToken) {
    ApiSettings settings;
    settings.server_url = url;
    settings.token = std::move(token);
    settings.token_source = "--token";
    return settings;
}

}  // namespace

TEST_CASE("GET sends the bearer token and the query, and parses the JSON") {
    FakeCoordinator coordinator;
    coordinator.reply("GET", "/api/v1/pipelines", 200, R"({"total": 0, "data": []})");
    ApiClient api(settings_for(coordinator.url()));

    auto reply = api.get(with_query("/api/v1/pipelines",
                                    {{"limit", "5"}, {"status", ""}, {"repo", "octo/my repo"}}));
    REQUIRE(reply.ok());
    CHECK(reply->status == 200);
    CHECK(reply->body == R"({"total": 0, "data": []})");
    auto object = reply->json.extract<Poco::JSON::Object::Ptr>();
    CHECK(object->getValue<int>("total") == 0);

    auto requests = coordinator.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].authorization == "Bearer s3cret-token");
    CHECK(requests[0].query.at("limit") == "5");
    CHECK(requests[0].query.at("repo") == "octo/my repo");
    CHECK(requests[0].query.count("status") == 0);
    CHECK(requests[0].uri == "/api/v1/pipelines?limit=5&repo=octo%2Fmy%20repo");
}

TEST_CASE("POST sends a JSON body, DELETE answers 204 without one") {
    FakeCoordinator coordinator;
    coordinator.reply("POST", "/api/v1/pipelines", 201, R"({"id": 7})");
    coordinator.reply("DELETE", "/api/v1/runners/3", 204, "");
    ApiClient api(settings_for(coordinator.url()));

    auto created = api.post("/api/v1/pipelines", R"({"repo_url":"u","ref":"main"})");
    REQUIRE(created.ok());
    CHECK(created->status == 201);
    auto removed = api.remove("/api/v1/runners/3");
    REQUIRE(removed.ok());
    CHECK(removed->status == 204);
    CHECK(removed->json.isEmpty());

    auto requests = coordinator.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].method == "POST");
    CHECK(requests[0].content_type == "application/json");
    CHECK(requests[0].body == R"({"repo_url":"u","ref":"main"})");
    CHECK(requests[1].method == "DELETE");
}

TEST_CASE("a server URL with a path prefix puts it before every API path") {
    FakeCoordinator coordinator;
    coordinator.reply("GET", "/ci/api/v1/runners", 200, R"({"data": []})");
    ApiClient api(settings_for(coordinator.url() + "/ci/"));
    REQUIRE(api.get("/api/v1/runners").ok());
}

TEST_CASE("a wrong or missing token is exit 3, a missing resource exit 4") {
    FakeCoordinator coordinator;
    coordinator.reply("GET", "/api/v1/pipelines/5", 200, R"({"id": 5})");

    ApiClient wrong(settings_for(coordinator.url(), "not-the-token"));
    auto refused = wrong.get("/api/v1/pipelines/5");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().exit_code == exit_code::kUnreachable);
    CHECK(refused.error().message.find("refused the API token from --token") != std::string::npos);
    CHECK_FALSE(refused.error().connection_failed);

    ApiClient api(settings_for(coordinator.url()));
    auto missing = api.get("/api/v1/pipelines/6");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().exit_code == exit_code::kNotFound);
    CHECK(missing.error().message == "no route for GET /api/v1/pipelines/6");
}

TEST_CASE("connection refused is exit 3, for calls and for streams") {
    ApiClient api(settings_for("http://127.0.0.1:" + std::to_string(unused_port())));
    auto reply = api.get("/api/v1/pipelines");
    REQUIRE_FALSE(reply.ok());
    CHECK(reply.error().exit_code == exit_code::kUnreachable);
    CHECK(reply.error().connection_failed);
    CHECK(reply.error().message.find("cannot reach the coordinator at http://127.0.0.1:") == 0);

    auto streamed = api.stream(
        "/api/v1/pipelines/1/jobs/build/log", [](std::string_view) {}, true);
    REQUIRE_FALSE(streamed.ok());
    CHECK(streamed.error().exit_code == exit_code::kUnreachable);
}

TEST_CASE("an answer that is not JSON is exit 1") {
    FakeCoordinator coordinator;
    coordinator.on("GET", "/api/v1/runners", [](const RecordedRequest&, HTTPServerResponse& r) {
        r.setContentType("text/html");
        r.send() << "<html>proxy page</html>";
    });
    ApiClient api(settings_for(coordinator.url()));
    auto reply = api.get("/api/v1/runners");
    REQUIRE_FALSE(reply.ok());
    CHECK(reply.error().exit_code == exit_code::kFailed);
    CHECK(reply.error().message.find("not JSON") != std::string::npos);
}

TEST_CASE("a chunked log is delivered piece by piece, as it arrives") {
    FakeCoordinator coordinator;
    Signal first_piece_seen;
    bool client_saw_first_piece_in_time = false;
    coordinator.on("GET", "/api/v1/pipelines/3/jobs/unit tests/log",
                   [&](const RecordedRequest&, HTTPServerResponse& response) {
                       response.setChunkedTransferEncoding(true);
                       response.setContentType("text/plain");
                       std::ostream& out = response.send();
                       out << "step 1: compiling\n";
                       out.flush();
                       // The second piece is only written once the client has shown the
                       // first: a client that waited for the whole body would stall here.
                       client_saw_first_piece_in_time =
                           first_piece_seen.wait_for(std::chrono::seconds(10));
                       out << "step 2: linking\n";
                       out.flush();
                   });
    ApiClient api(settings_for(coordinator.url()));

    std::mutex mutex;
    std::string received;
    auto streamed = api.stream(
        with_query("/api/v1/pipelines/3/jobs/" + path_segment("unit tests") + "/log",
                   {{"attempt", "2"}, {"follow", "1"}}),
        [&](std::string_view piece) {
            std::lock_guard lock(mutex);
            received.append(piece);
            if (received == "step 1: compiling\n") first_piece_seen.set();
        },
        true);
    REQUIRE(streamed.ok());
    CHECK(client_saw_first_piece_in_time);
    CHECK(received == "step 1: compiling\nstep 2: linking\n");

    auto requests = coordinator.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].uri == "/api/v1/pipelines/3/jobs/unit%20tests/log?attempt=2&follow=1");
    CHECK(requests[0].authorization == "Bearer s3cret-token");
}

TEST_CASE("a stream refused by the server maps like any other call") {
    FakeCoordinator coordinator;
    coordinator.reply("GET", "/api/v1/pipelines/3/jobs/build/log", 404,
                      R"({"error": "pipeline 3 has no job build"})");
    ApiClient api(settings_for(coordinator.url()));
    std::string received;
    auto streamed = api.stream(
        "/api/v1/pipelines/3/jobs/build/log", [&](std::string_view p) { received.append(p); },
        false);
    REQUIRE_FALSE(streamed.ok());
    CHECK(streamed.error().exit_code == exit_code::kNotFound);
    CHECK(streamed.error().message == "pipeline 3 has no job build");
    CHECK(received.empty());
}
