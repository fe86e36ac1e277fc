// list, show, cancel, retry and configure, end to end against a fake coordinator: what a
// user sees on stdout and stderr, and the exit code.

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>

#include "cli_harness.h"
#include "fake_coordinator.h"
#include "sample_json.h"
#include "shared/exit_codes.h"

using namespace fmg::cli;
using namespace fmg::cli::testing;
namespace exit_code = fmg::exit_code;

namespace {

/// Runs fmg against `coordinator` with the right token.
CliRun fmg_at(FakeCoordinator& coordinator, std::vector<std::string> args) {
    return run_fmg(args,
                   {{"FMG_SERVER_URL", coordinator.url()}, {"FMG_TOKEN", FakeCoordinator::kToken}});
}

Poco::JSON::Object::Ptr json_object(const std::string& text) {
    return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

}  // namespace

TEST_CASE("list prints one line per pipeline and passes its filters") {
    FakeCoordinator coordinator;
    coordinator.reply("GET", "/api/v1/pipelines", 200, kPipelineList);
    auto result = fmg_at(coordinator, {"list", "--status", "success", "--repo", "octo/repo"});
    CHECK(result.exit_code == exit_code::kOk);
    CHECK(result.out ==
          "#7 [octo/repo @ 0123456 on feature/x] status: QUEUED (not started, created "
          "2024-06-01T12:05:00Z)\n"
          "#6 [octo/other @ fedcba9 on main] status: RUNNING (started 2024-06-01T12:04:01Z)\n"
          "#5 [octo/repo @ a1b2c3d on main] status: SUCCESS (started 2024-06-01T12:00:00Z "
          "finished 2024-06-01T12:03:40Z)\n");
    CHECK(result.err == "(3 of 42 pipelines; see more with --limit)\n");
    auto query = coordinator.requests().at(0).query;
    CHECK(query.at("status") == "success");
    CHECK(query.at("repo") == "octo/repo");
    CHECK(query.at("limit") == "20");
}

TEST_CASE("list --json prints the API's JSON as it came") {
    FakeCoordinator coordinator;
    coordinator.reply("GET", "/api/v1/pipelines", 200, kPipelineList);
    auto result = fmg_at(coordinator, {"list", "--json"});
    CHECK(result.exit_code == exit_code::kOk);
    CHECK(result.out == std::string(kPipelineList) + "\n");
}

TEST_CASE("show prints the pipeline's jobs, --json its JSON, a missing one is exit 4") {
    FakeCoordinator coordinator;
    coordinator.reply("GET", "/api/v1/pipelines/5", 200, kFailedPipeline);
    coordinator.reply("GET", "/api/v1/pipelines/6", 404, R"({"error": "no pipeline 6"})");

    auto shown = fmg_at(coordinator, {"show", "5"});
    CHECK(shown.exit_code == exit_code::kOk);
    CHECK(shown.out.rfind("#5 [octo/repo @ a1b2c3d on main] status: FAILED", 0) == 0);
    CHECK(shown.out.find("job test: FAILED (2m09s), requires build\n"
                         "  attempt 1 on build-02: LOST (6.0s): agent lost: silent 3012 ms\n") !=
          std::string::npos);

    auto json = fmg_at(coordinator, {"show", "5", "--json"});
    CHECK(json.out == std::string(kFailedPipeline) + "\n");

    auto missing = fmg_at(coordinator, {"show", "6"});
    CHECK(missing.exit_code == exit_code::kNotFound);
    CHECK(missing.err == "fmg: no pipeline 6\n");
    CHECK(missing.out.empty());
}

TEST_CASE("a coordinator that is not there is exit 3") {
    auto result = run_fmg({"--server-url", "http://127.0.0.1:" + std::to_string(unused_port()),
                           "--token", "t", "show", "1"});
    CHECK(result.exit_code == exit_code::kUnreachable);
    CHECK(result.err.rfind("fmg: cannot reach the coordinator at http://127.0.0.1:", 0) == 0);
}

TEST_CASE("cancel and retry call their endpoints and say what happened") {
    FakeCoordinator coordinator;
    coordinator.reply("POST", "/api/v1/pipelines/5/cancel", 202, "");
    coordinator.reply("POST", "/api/v1/pipelines/5/retry", 201, R"({"id": 9})");
    coordinator.reply("POST", "/api/v1/pipelines/4/retry", 409,
                      R"({"error": "pipeline 4 is still running"})");

    auto cancel = fmg_at(coordinator, {"cancel", "5"});
    CHECK(cancel.exit_code == exit_code::kOk);
    CHECK(cancel.out == "pipeline #5 cancelling\n");

    auto retry = fmg_at(coordinator, {"retry", "5"});
    CHECK(retry.exit_code == exit_code::kOk);
    CHECK(retry.out == "pipeline #9 queued (retry of #5)\n");

    auto refused = fmg_at(coordinator, {"retry", "4"});
    CHECK(refused.exit_code == exit_code::kFailed);
    CHECK(refused.err == "fmg: pipeline 4 is still running\n");

    auto missing = fmg_at(coordinator, {"cancel", "77"});
    CHECK(missing.exit_code == exit_code::kNotFound);
}

TEST_CASE("add-runner prints the credentials alone on stdout and the id and hint on stderr") {
    FakeCoordinator coordinator;
    const std::string credentials =
        "coordinator: tcp://ci.example:5555\nserver_key: abc\nsecret_key: def\n";
    coordinator.on("POST", "/api/v1/runners",
                   [&](const RecordedRequest&, Poco::Net::HTTPServerResponse& response) {
                       Poco::JSON::Object body;
                       body.set("id", 4);
                       body.set("credentials", credentials);
                       std::ostringstream text;
                       body.stringify(text);
                       send_json(response, 201, text.str());
                   });
    auto result = fmg_at(coordinator, {"configure", "add-runner", "build-04", "--labels",
                                       "docker,arm64", "--capacity", "3"});
    CHECK(result.exit_code == exit_code::kOk);
    CHECK(result.out == credentials);
    CHECK(result.err.rfind("runner 4 registered for build-04\n", 0) == 0);
    CHECK(result.err.find("sudo install -D -m 600 /dev/stdin /etc/fmg/agent.cred") !=
          std::string::npos);
    CHECK(result.err.find("systemctl enable --now fmg-agent") != std::string::npos);

    auto sent = json_object(coordinator.requests().at(0).body);
    CHECK(sent->getValue<std::string>("host") == "build-04");
    CHECK(sent->getValue<int>("capacity") == 3);
    auto labels = sent->getArray("labels");
    REQUIRE(labels->size() == 2);
    CHECK(labels->getElement<std::string>(0) == "docker");
    CHECK(labels->getElement<std::string>(1) == "arm64");

    auto defaults = fmg_at(coordinator, {"configure", "add-runner", "build-05"});
    auto sent_defaults = json_object(coordinator.requests().at(1).body);
    CHECK(sent_defaults->getValue<int>("capacity") == 1);
    CHECK(sent_defaults->getArray("labels")->size() == 0);
}

TEST_CASE("list-runners prints a line per runner, --json the API's JSON") {
    FakeCoordinator coordinator;
    coordinator.reply("GET", "/api/v1/runners", 200, kRunnerList);
    auto result = fmg_at(coordinator, {"configure", "list-runners"});
    CHECK(result.exit_code == exit_code::kOk);
    // Heartbeat ages depend on the clock; their format is pinned in format_test.cpp.
    CHECK(result.out.rfind("1: localhost [online] capacity 2, last heartbeat ", 0) == 0);
    CHECK(result.out.find(" ago, running #12/build\n2: build-02 [draining] capacity 2, ") !=
          std::string::npos);
    CHECK(result.out.find("\n3: build-03 [offline] capacity 4, no heartbeat yet, idle\n") !=
          std::string::npos);

    auto json = fmg_at(coordinator, {"--json", "configure", "list-runners"});
    CHECK(json.out == std::string(kRunnerList) + "\n");
}

TEST_CASE("remove-runner takes an id or a host") {
    FakeCoordinator coordinator;
    coordinator.reply("GET", "/api/v1/runners", 200, R"({"data": [
        {"id": 1, "host": "old", "labels": [], "capacity": 1, "state": "revoked",
         "last_heartbeat_at": null, "running": [], "version": null},
        {"id": 2, "host": "old", "labels": [], "capacity": 1, "state": "online",
         "last_heartbeat_at": null, "running": [], "version": null},
        {"id": 3, "host": "twin", "labels": [], "capacity": 1, "state": "online",
         "last_heartbeat_at": null, "running": [], "version": null},
        {"id": 4, "host": "twin", "labels": [], "capacity": 1, "state": "lost",
         "last_heartbeat_at": null, "running": [], "version": null}]})");
    coordinator.reply("DELETE", "/api/v1/runners/2", 204, "");
    coordinator.reply("DELETE", "/api/v1/runners/3", 204, "");

    auto by_id = fmg_at(coordinator, {"configure", "remove-runner", "3"});
    CHECK(by_id.exit_code == exit_code::kOk);
    CHECK(by_id.out == "runner 3 revoked\n");

    auto by_host = fmg_at(coordinator, {"configure", "remove-runner", "old"});
    CHECK(by_host.exit_code == exit_code::kOk);
    CHECK(by_host.out == "runner 2 revoked\n");

    auto ambiguous = fmg_at(coordinator, {"configure", "remove-runner", "twin"});
    CHECK(ambiguous.exit_code == exit_code::kUsage);
    CHECK(ambiguous.err == "fmg: several runners for host twin (3, 4); give the id\n");

    auto unknown = fmg_at(coordinator, {"configure", "remove-runner", "nowhere"});
    CHECK(unknown.exit_code == exit_code::kNotFound);

    auto missing_id = fmg_at(coordinator, {"configure", "remove-runner", "9"});
    CHECK(missing_id.exit_code == exit_code::kNotFound);
}

TEST_CASE("approve calls the pipeline's or the job's endpoint and says what was queued") {
    FakeCoordinator coordinator;
    coordinator.reply("POST", "/api/v1/pipelines/12/approve", 202,
                      R"({"id": 12, "approved": ["build", "test"], "approved_by": "admin"})");
    coordinator.reply("POST", "/api/v1/pipelines/12/jobs/lint all/approve", 202,
                      R"({"id": 12, "approved": ["lint all"], "approved_by": "admin"})");
    coordinator.reply("POST", "/api/v1/pipelines/13/approve", 409,
                      R"({"error": "pipeline 13 was approved already, by admin"})");

    auto whole = fmg_at(coordinator, {"approve", "12"});
    CHECK(whole.exit_code == exit_code::kOk);
    CHECK(whole.out == "pipeline #12 approved: build, test queued\n");

    auto one = fmg_at(coordinator, {"approve", "12", "lint all"});
    CHECK(one.exit_code == exit_code::kOk);
    CHECK(one.out == "pipeline #12 approved: lint all queued\n");

    auto twice = fmg_at(coordinator, {"approve", "13"});
    CHECK(twice.exit_code == exit_code::kFailed);
    CHECK(twice.err == "fmg: pipeline 13 was approved already, by admin\n");

    CHECK(fmg_at(coordinator, {"approve", "77"}).exit_code == exit_code::kNotFound);
    CHECK(fmg_at(coordinator, {"approve", "x"}).exit_code == exit_code::kUsage);
    CHECK(fmg_at(coordinator, {"approve"}).exit_code == exit_code::kUsage);
}

TEST_CASE("approving an approval job says it passed") {
    FakeCoordinator coordinator;
    coordinator.reply("POST", "/api/v1/pipelines/14/jobs/hold/approve", 202,
                      R"({"id": 14, "approved": ["hold"], "passed": ["hold"],
                          "approved_by": "admin"})");
    coordinator.reply(
        "POST", "/api/v1/pipelines/14/jobs/deploy/approve", 409,
        R"x({"error": "job deploy of pipeline 14 is not waiting for approval (it is blocked)"})x");
    coordinator.reply("POST", "/api/v1/pipelines/15/approve", 202,
                      R"({"id": 15, "approved": ["build", "gate"], "passed": ["gate"],
                          "approved_by": "admin"})");

    auto hold = fmg_at(coordinator, {"approve", "14", "hold"});
    CHECK(hold.exit_code == exit_code::kOk);
    CHECK(hold.out == "pipeline #14 approved: hold passed\n");

    auto blocked = fmg_at(coordinator, {"approve", "14", "deploy"});
    CHECK(blocked.exit_code == exit_code::kFailed);
    CHECK(blocked.err ==
          "fmg: job deploy of pipeline 14 is not waiting for approval (it is blocked)\n");

    auto both = fmg_at(coordinator, {"approve", "15"});
    CHECK(both.out == "pipeline #15 approved: build queued; gate passed\n");
}
