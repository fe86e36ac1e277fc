// fmg trigger: the request it sends, and --wait following the pipeline to its end.

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <atomic>
#include <catch2/catch.hpp>

#include "cli_harness.h"
#include "fake_coordinator.h"
#include "shared/exit_codes.h"

using namespace fmg::cli;
using namespace fmg::cli::testing;
namespace exit_code = fmg::exit_code;
using Poco::Net::HTTPServerResponse;

namespace {

CliRun fmg_at(FakeCoordinator& coordinator, std::vector<std::string> args) {
    return run_fmg(args,
                   {{"FMG_SERVER_URL", coordinator.url()}, {"FMG_TOKEN", FakeCoordinator::kToken}});
}

std::string pipeline_in(const std::string& status) {
    bool started = status != "queued";
    bool finished = status != "queued" && status != "running";
    return R"({"id": 7, "repo": "octo/repo", "repo_url": "https://github.com/octo/repo.git",
               "ref": "main", "sha": "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
               "trigger": "manual", "status": ")" +
           status + R"(", "failed_jobs": [], "created_at": "2024-06-01T12:00:00.000Z",
               "started_at": )" +
           (started ? R"("2024-06-01T12:00:01.000Z")" : "null") + R"(, "finished_at": )" +
           (finished ? R"("2024-06-01T12:00:05.500Z")" : "null") + R"(, "error": null})";
}

/// Serves the pipeline as queued, then running, then `final_status` from the third look on.
void serve_progress(FakeCoordinator& coordinator, std::atomic<int>& looks,
                    std::string final_status) {
    coordinator.reply("POST", "/api/v1/pipelines", 201, R"({"id": 7})");
    coordinator.on("GET", "/api/v1/pipelines/7",
                   [&looks, final_status](const RecordedRequest&, HTTPServerResponse& response) {
                       int look = ++looks;
                       std::string status =
                           look == 1 ? "queued" : (look == 2 ? "running" : final_status);
                       send_json(response, 200, pipeline_in(status));
                   });
}

}  // namespace

TEST_CASE("trigger posts repo_url, ref and sha and prints the new pipeline") {
    FakeCoordinator coordinator;
    coordinator.reply("POST", "/api/v1/pipelines", 201, R"({"id": 7})");
    auto result = fmg_at(coordinator, {"trigger", "--repo", "https://github.com/octo/repo.git",
                                       "--ref", "main", "--sha", "a1b2c3d"});
    CHECK(result.exit_code == exit_code::kOk);
    CHECK(result.out == "pipeline #7 queued\n");
    auto body = Poco::JSON::Parser()
                    .parse(coordinator.requests().at(0).body)
                    .extract<Poco::JSON::Object::Ptr>();
    CHECK(body->getValue<std::string>("repo_url") == "https://github.com/octo/repo.git");
    CHECK(body->getValue<std::string>("ref") == "main");
    CHECK(body->getValue<std::string>("sha") == "a1b2c3d");

    auto without_sha = fmg_at(coordinator, {"trigger", "--repo", "u", "--ref", "v1"});
    CHECK(without_sha.exit_code == exit_code::kOk);
    auto second = Poco::JSON::Parser()
                      .parse(coordinator.requests().at(1).body)
                      .extract<Poco::JSON::Object::Ptr>();
    CHECK_FALSE(second->has("sha"));
}

TEST_CASE("trigger --wait follows the pipeline and exits 0 when it succeeds") {
    FakeCoordinator coordinator;
    std::atomic<int> looks{0};
    serve_progress(coordinator, looks, "success");
    auto result = fmg_at(coordinator, {"trigger", "--repo", "u", "--ref", "main", "--wait"});
    CHECK(result.exit_code == exit_code::kOk);
    CHECK(result.out ==
          "pipeline #7 queued\n"
          "#7 [octo/repo @ a1b2c3d on main] status: SUCCESS (started 2024-06-01T12:00:01Z "
          "finished 2024-06-01T12:00:05Z)\n");
    CHECK(result.err == "pipeline #7 queued\npipeline #7 running\npipeline #7 success\n");
    CHECK(looks == 3);
}

TEST_CASE("trigger --wait exits 1 when the pipeline does not succeed") {
    FakeCoordinator coordinator;
    std::atomic<int> looks{0};
    serve_progress(coordinator, looks, "failed");
    auto result = fmg_at(coordinator, {"trigger", "--repo", "u", "--ref", "main", "--wait"});
    CHECK(result.exit_code == exit_code::kFailed);
    CHECK(result.out.find("status: FAILED") != std::string::npos);
}

TEST_CASE("trigger --json prints the API's answer") {
    FakeCoordinator coordinator;
    coordinator.reply("POST", "/api/v1/pipelines", 201, R"({"id": 7})");
    auto result = fmg_at(coordinator, {"trigger", "--json", "--repo", "u", "--ref", "main"});
    CHECK(result.exit_code == exit_code::kOk);
    CHECK(result.out == "{\"id\": 7}\n");
}

TEST_CASE("trigger --param sends each parameter whole, commas and '=' included") {
    FakeCoordinator coordinator;
    coordinator.reply("POST", "/api/v1/pipelines", 201, R"({"id": 7})");
    auto result = fmg_at(coordinator, {"trigger", "--repo", "u", "--param", "target=a,b,c", "--ref",
                                       "main", "--param=query=x=1", "--param", "empty="});
    CHECK(result.exit_code == exit_code::kOk);
    auto body = Poco::JSON::Parser()
                    .parse(coordinator.requests().at(0).body)
                    .extract<Poco::JSON::Object::Ptr>();
    auto parameters = body->getObject("parameters");
    REQUIRE(parameters);
    CHECK(parameters->size() == 3);
    CHECK(parameters->getValue<std::string>("target") == "a,b,c");
    CHECK(parameters->getValue<std::string>("query") == "x=1");
    CHECK(parameters->getValue<std::string>("empty") == "");

    // Without --param the body has no parameters at all.
    CHECK(fmg_at(coordinator, {"trigger", "--repo", "u", "--ref", "main"}).exit_code ==
          exit_code::kOk);
    auto plain = Poco::JSON::Parser()
                     .parse(coordinator.requests().at(1).body)
                     .extract<Poco::JSON::Object::Ptr>();
    CHECK_FALSE(plain->has("parameters"));
}

TEST_CASE("trigger --param without NAME=VALUE, or a name given twice, is a usage error") {
    FakeCoordinator coordinator;
    coordinator.reply("POST", "/api/v1/pipelines", 201, R"({"id": 7})");
    auto no_equals = fmg_at(coordinator, {"trigger", "--repo", "u", "--ref", "main", "--param",
                                          "a=1", "--param", "flag"});
    CHECK(no_equals.exit_code == exit_code::kUsage);
    CHECK_THAT(no_equals.err,
               Catch::Contains("invalid value 'flag' for --param: expected NAME=VALUE"));

    auto no_name = fmg_at(coordinator,
                          {"trigger", "--repo", "u", "--ref", "main", "--param=", "--param", "=x"});
    CHECK(no_name.exit_code == exit_code::kUsage);

    auto twice = fmg_at(coordinator, {"trigger", "--repo", "u", "--ref", "main", "--param", "a=1",
                                      "--param", "a=2"});
    CHECK(twice.exit_code == exit_code::kUsage);
    CHECK_THAT(twice.err, Catch::Contains("--param a is given twice"));

    auto missing = fmg_at(coordinator, {"trigger", "--repo", "u", "--ref", "main", "--param"});
    CHECK(missing.exit_code == exit_code::kUsage);
    CHECK_THAT(missing.err, Catch::Contains("'--param' needs a value"));

    CHECK(coordinator.requests().empty());
}
