// Human output of list, show and list-runners, from API answers shaped as SPEC says.

#include "cli/format.h"

#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>

#include "cli/decode.h"
#include "sample_json.h"
#include "shared/time_format.h"

using namespace fmg::cli;
using namespace fmg::cli::testing;

namespace {

Poco::Dynamic::Var parse(const char* json) {
    return Poco::JSON::Parser().parse(json);
}

int64_t at(const char* time) {
    return fmg::parse_rfc3339_ms(time).value();
}

}  // namespace

TEST_CASE("list lines follow SPEC: short sha, short ref, upper-case status, whole seconds") {
    auto pipelines = decode_pipeline_list(parse(kPipelineList));
    REQUIRE(pipelines.ok());
    REQUIRE(pipelines->size() == 3);
    CHECK(pipeline_line((*pipelines)[2]) ==
          "#5 [octo/repo @ a1b2c3d on main] status: SUCCESS (started 2024-06-01T12:00:00Z "
          "finished 2024-06-01T12:03:40Z)");
    CHECK(pipeline_line((*pipelines)[1]) ==
          "#6 [octo/other @ fedcba9 on main] status: RUNNING (started 2024-06-01T12:04:01Z)");
    CHECK(pipeline_line((*pipelines)[0]) ==
          "#7 [octo/repo @ 0123456 on feature/x] status: QUEUED (not started, created "
          "2024-06-01T12:05:00Z)");
}

TEST_CASE("runner lines follow SPEC, with or without the running_jobs detail") {
    auto runners = decode_runner_list(parse(kRunnerList));
    REQUIRE(runners.ok());
    REQUIRE(runners->size() == 3);
    int64_t now = at("2024-06-01T12:00:10.000Z");
    CHECK(runner_line((*runners)[0], now) ==
          "1: localhost [online] capacity 2, last heartbeat 0.4s ago, running #12/build");
    CHECK(runner_line((*runners)[1], now) ==
          "2: build-02 [draining] capacity 2, last heartbeat 2m15s ago, running attempt 58, "
          "attempt 59");
    CHECK(runner_line((*runners)[2], now) ==
          "3: build-03 [offline] capacity 4, no heartbeat yet, idle");
}

TEST_CASE("a bare array of runners decodes too, a heartbeat from a fast clock is 0.0s ago") {
    auto runners = decode_runner_list(parse(
        R"([{"id": 9, "host": "h", "labels": [], "capacity": 1, "state": "online",
             "last_heartbeat_at": "2024-06-01T12:00:11.000Z", "running": [], "version": "0.1.0"}])"));
    REQUIRE(runners.ok());
    REQUIRE(runners->size() == 1);
    CHECK(runner_line(runners->front(), at("2024-06-01T12:00:10.000Z")) ==
          "9: h [online] capacity 1, last heartbeat 0.0s ago, idle");
}

TEST_CASE("show prints the pipeline, then each job with attempts and steps") {
    auto pipeline = decode_pipeline(parse(kFailedPipeline));
    REQUIRE(pipeline.ok());
    std::string expected =
        "#5 [octo/repo @ a1b2c3d on main] status: FAILED (started 2024-06-01T12:00:00Z finished "
        "2024-06-01T12:03:40Z)\n"
        "  repo:    https://github.com/octo/repo.git\n"
        "  ref:     main\n"
        "  commit:  a1b2c3d4e5f60718293a4b5c6d7e8f9012345678\n"
        "  trigger: push, created 2024-06-01T11:59:58Z\n"
        "  took:    3m40s\n"
        "  failed:  test\n"
        "\n"
        "job build: SUCCESS (1m30s)\n"
        "  attempt 1 on build-01: SUCCESS (1m30s)\n"
        "  step checkout: SUCCESS exit 0 (1.2s)\n"
        "  step make: SUCCESS exit 0 (1m27s)\n"
        "\n"
        "job test: FAILED (2m09s), requires build\n"
        "  attempt 1 on build-02: LOST (6.0s): agent lost: silent 3012 ms\n"
        "  attempt 2 on build-01: FAILED (2m01s)\n"
        "  step checkout: SUCCESS exit 0 (0.4s)\n"
        "  step unit tests: FAILED exit 2 (1m59s)\n"
        "\n"
        "job deploy: SKIPPED, requires test\n";
    CHECK(pipeline_details(*pipeline, at("2024-06-01T13:00:00.000Z")) == expected);
}

TEST_CASE("show counts running things up to now and shows a pipeline's error") {
    auto pipeline = decode_pipeline(parse(R"({
      "id": 8, "repo": "octo/repo", "repo_url": "https://github.com/octo/repo.git",
      "ref": "refs/tags/v1.0", "sha": "abcdef0123456789abcdef0123456789abcdef01",
      "trigger": "push", "status": "running", "failed_jobs": [],
      "created_at": "2024-06-01T12:00:00.000Z", "started_at": "2024-06-01T12:00:01.000Z",
      "finished_at": null, "error": "runner build-01 lost twice",
      "jobs": [{"name": "build", "status": "running", "requires": [],
                "started_at": "2024-06-01T12:00:01.000Z", "finished_at": null,
                "steps": [{"name": "make", "status": "running", "exit_code": null,
                           "started_at": "2024-06-01T12:00:02.000Z", "finished_at": null}],
                "attempts": [{"id": 1, "number": 1, "runner": null, "status": "assigned",
                              "started_at": null, "finished_at": null, "error": null}]}]})"));
    REQUIRE(pipeline.ok());
    std::string text = pipeline_details(*pipeline, at("2024-06-01T12:00:13.500Z"));
    CHECK(text.rfind("#8 [octo/repo @ abcdef0 on v1.0] status: RUNNING (started "
                     "2024-06-01T12:00:01Z)\n",
                     0) == 0);
    CHECK(text.find("  took:    12.5s so far\n") != std::string::npos);
    CHECK(text.find("  error:   runner build-01 lost twice\n") != std::string::npos);
    CHECK(text.find("job build: RUNNING (12.5s so far)\n") != std::string::npos);
    CHECK(text.find("  attempt 1 (no runner yet): ASSIGNED\n") != std::string::npos);
    CHECK(text.find("  step make: RUNNING (11.5s so far)\n") != std::string::npos);
}

TEST_CASE("decoding refuses objects the CLI cannot show") {
    CHECK_FALSE(decode_pipeline(parse(R"({"repo": "octo/repo"})")).ok());
    CHECK_FALSE(decode_pipeline(parse(R"([1, 2])")).ok());
    CHECK_FALSE(decode_pipeline_list(parse(R"({"total": 1})")).ok());
    CHECK_FALSE(decode_runner_list(parse(R"({"data": [{"host": "x"}]})")).ok());
    CHECK(decode_integer_field(parse(R"({"id": 12})"), "id").value() == 12);
    CHECK_FALSE(decode_integer_field(parse(R"({"id": "12"})"), "id").ok());
}

TEST_CASE("a fork's pipeline says what waits for approval, and who approved what") {
    auto held = decode_pipeline(parse(R"({"id": 12, "repo": "octo/demo",
        "repo_url": "https://github.com/forker/demo.git", "ref": "refs/heads/patch-1",
        "sha": "0123456789abcdef0123456789abcdef01234567", "trigger": "pull_request",
        "status": "queued", "failed_jobs": [], "created_at": "2024-06-01T12:05:00.999Z",
        "started_at": null, "finished_at": null, "error": null, "fork": "forker/demo",
        "approved_by": null, "approved_at": null, "held_jobs": ["test"],
        "jobs": [{"name": "build", "status": "queued", "requires": [], "started_at": null,
                  "finished_at": null, "approved_by": "admin",
                  "approved_at": "2024-06-01T12:06:00.500Z", "steps": [], "attempts": []},
                 {"name": "test", "status": "on_hold", "requires": [], "started_at": null,
                  "finished_at": null, "approved_by": null, "approved_at": null,
                  "steps": [], "attempts": []}]})"));
    REQUIRE(held.ok());
    CHECK(pipeline_line(*held) ==
          "#12 [octo/demo @ 0123456 on patch-1] status: QUEUED (not started, created "
          "2024-06-01T12:05:00Z), on_hold: waiting for approval (fmg approve 12)");
    std::string details = pipeline_details(*held, at("2024-06-01T12:07:00.000Z"));
    CHECK_THAT(details, Catch::Contains("  fork:    pull request from forker/demo, waiting for "
                                        "approval: fmg approve 12\n"));
    CHECK_THAT(details, Catch::Contains("job build: QUEUED, approved by admin at "
                                        "2024-06-01T12:06:00Z\n"));
    CHECK_THAT(details, Catch::Contains("job test: ON_HOLD: waiting for approval (fmg approve 12 "
                                        "test)\n"));

    auto pushed = decode_pipeline_list(parse(kPipelineList));
    REQUIRE(pushed.ok());
    CHECK_THAT(pipeline_details((*pushed)[0], 0), !Catch::Contains("fork"));
}

TEST_CASE("an approval job says what it is and the command that approves it") {
    auto held = decode_pipeline(parse(R"({"id": 14, "repo": "octo/demo",
        "repo_url": "https://github.com/octo/demo.git", "ref": "refs/heads/main",
        "sha": "0123456789abcdef0123456789abcdef01234567", "trigger": "push",
        "status": "running", "failed_jobs": [], "created_at": "2024-06-01T12:05:00.000Z",
        "started_at": "2024-06-01T12:05:01.000Z", "finished_at": null, "error": null,
        "fork": null, "approved_by": null, "approved_at": null, "held_jobs": ["hold"],
        "jobs": [{"name": "hold", "type": "approval", "status": "on_hold", "requires": ["build"],
                  "started_at": "2024-06-01T12:06:00.000Z", "finished_at": null,
                  "approved_by": null, "approved_at": null, "steps": [], "attempts": []},
                 {"name": "done", "type": "no-op", "status": "success", "requires": [],
                  "started_at": "2024-06-01T12:05:01.000Z",
                  "finished_at": "2024-06-01T12:05:01.000Z", "approved_by": null,
                  "approved_at": null, "steps": [], "attempts": []},
                 {"name": "deploy", "type": "build", "status": "blocked", "requires": ["hold"],
                  "started_at": null, "finished_at": null, "approved_by": null,
                  "approved_at": null, "steps": [], "attempts": []}]})"));
    REQUIRE(held.ok());
    CHECK(pipeline_line(*held) ==
          "#14 [octo/demo @ 0123456 on main] status: RUNNING (started 2024-06-01T12:05:01Z), "
          "on_hold: waiting for approval (fmg approve 14 hold)");
    std::string details = pipeline_details(*held, at("2024-06-01T12:07:00.000Z"));
    CHECK_THAT(details, Catch::Contains("job hold (approval): ON_HOLD (1m00s so far): waiting for "
                                        "approval (fmg approve 14 hold), requires build\n"));
    CHECK_THAT(details, Catch::Contains("job done (no-op): SUCCESS (0.0s)\n"));
    CHECK_THAT(details, Catch::Contains("job deploy: BLOCKED, requires hold\n"));
}

TEST_CASE("show says why a queued job waits and which runner labels a job needs") {
    auto pipeline = decode_pipeline(parse(R"({"id": 7, "repo": "octo/demo",
        "repo_url": "https://github.com/octo/demo.git", "ref": "refs/heads/main",
        "sha": "0123456789abcdef0123456789abcdef01234567", "trigger": "push",
        "status": "running", "failed_jobs": [], "created_at": "2024-06-01T12:05:00.000Z",
        "started_at": "2024-06-01T12:05:01.000Z", "finished_at": null, "error": null,
        "jobs": [{"name": "build", "status": "queued", "requires": [], "started_at": null,
                  "finished_at": null, "labels": ["machine", "large"],
                  "waiting_reason": "no online runner has labels machine, large",
                  "steps": [], "attempts": []},
                 {"name": "lint", "status": "running", "requires": [], "labels": ["large"],
                  "waiting_reason": null, "started_at": "2024-06-01T12:05:01.000Z",
                  "finished_at": null, "steps": [], "attempts": []},
                 {"name": "test", "status": "queued", "requires": [], "started_at": null,
                  "finished_at": null, "steps": [], "attempts": []}]})"));
    REQUIRE(pipeline.ok());
    std::string details = pipeline_details(*pipeline, at("2024-06-01T12:07:00.000Z"));
    CHECK_THAT(details, Catch::Contains("job build: QUEUED: no online runner has labels machine, "
                                        "large, on runners labelled machine, large\n"));
    CHECK_THAT(details, Catch::Contains("job lint: RUNNING (1m59s so far), on runners labelled "
                                        "large\n"));
    // An older coordinator sends neither field.
    CHECK_THAT(details, Catch::Contains("job test: QUEUED\n"));
}
