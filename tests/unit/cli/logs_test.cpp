// fmg logs: which job, which URL, live streaming, and the exit code of --follow.

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>

#include "cli_harness.h"
#include "fake_coordinator.h"
#include "sample_json.h"
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

std::string one_job_pipeline(const std::string& job_status) {
    return R"({"id": 3, "repo": "octo/repo", "repo_url": "u", "ref": "main", "sha": "abc",
               "trigger": "manual", "status": ")" +
           job_status + R"(", "failed_jobs": [], "created_at": null, "started_at": null,
               "finished_at": null, "error": null,
               "jobs": [{"name": "build", "status": ")" +
           job_status + R"(", "requires": [], "started_at": null, "finished_at": null,
                         "steps": [], "attempts": []}]})";
}

void stream_in_chunks(HTTPServerResponse& response, const std::vector<std::string>& chunks) {
    response.setChunkedTransferEncoding(true);
    response.setContentType("text/plain");
    std::ostream& out = response.send();
    for (const auto& chunk : chunks) {
        out << chunk;
        out.flush();
    }
}

}  // namespace

TEST_CASE("logs ID JOB prints the job's log as it is") {
    FakeCoordinator coordinator;
    coordinator.on("GET", "/api/v1/pipelines/5/jobs/unit tests/log",
                   [](const RecordedRequest&, HTTPServerResponse& response) {
                       response.setContentType("text/plain");
                       response.send() << "$ make test\n\x1b[32mok\x1b[0m 12 tests\n";
                   });
    auto result = fmg_at(coordinator, {"logs", "5", "unit tests", "--attempt", "2"});
    CHECK(result.exit_code == exit_code::kOk);
    CHECK(result.out == "$ make test\n\x1b[32mok\x1b[0m 12 tests\n");
    auto request = coordinator.requests().at(0);
    CHECK(request.uri == "/api/v1/pipelines/5/jobs/unit%20tests/log?attempt=2");
}

TEST_CASE("logs without JOB uses the pipeline's only job, and lists them when there are more") {
    FakeCoordinator coordinator;
    coordinator.reply("GET", "/api/v1/pipelines/3", 200, one_job_pipeline("running"));
    coordinator.reply("GET", "/api/v1/pipelines/5", 200, kFailedPipeline);
    coordinator.on("GET", "/api/v1/pipelines/3/jobs/build/log",
                   [](const RecordedRequest&, HTTPServerResponse& response) {
                       response.send() << "building\n";
                   });

    auto single = fmg_at(coordinator, {"logs", "3"});
    CHECK(single.exit_code == exit_code::kOk);
    CHECK(single.out == "building\n");

    auto several = fmg_at(coordinator, {"logs", "5"});
    CHECK(several.exit_code == exit_code::kUsage);
    CHECK(several.err == "fmg: pipeline #5 has several jobs; name one of: build, test, deploy\n");

    auto missing = fmg_at(coordinator, {"logs", "8"});
    CHECK(missing.exit_code == exit_code::kNotFound);

    coordinator.reply("GET", "/api/v1/pipelines/4", 200,
                      R"({"id": 4, "status": "error", "jobs": [],
                          "error": ".circleci/config.yml:3:5: unknown key `stpes`"})");
    auto no_jobs = fmg_at(coordinator, {"logs", "4"});
    CHECK(no_jobs.exit_code == exit_code::kFailed);
    CHECK(no_jobs.err ==
          "fmg: pipeline #4 has no jobs: .circleci/config.yml:3:5: unknown key `stpes`\n");
}

TEST_CASE("logs --follow streams until the job ends and exits by its result") {
    FakeCoordinator coordinator;
    std::atomic<int> streams{0};
    coordinator.on("GET", "/api/v1/pipelines/3/jobs/build/log",
                   [&](const RecordedRequest&, HTTPServerResponse& response) {
                       ++streams;
                       stream_in_chunks(response, {"step 1\n", "step 2\n", "done\n"});
                   });

    SECTION("a job that succeeded: exit 0") {
        coordinator.reply("GET", "/api/v1/pipelines/3", 200, one_job_pipeline("success"));
        auto result = fmg_at(coordinator, {"logs", "3", "build", "--follow"});
        CHECK(result.exit_code == exit_code::kOk);
        CHECK(result.out == "step 1\nstep 2\ndone\n");
        CHECK(result.err.empty());
    }
    SECTION("a job that failed: exit 1 and the job's state on stderr") {
        coordinator.reply("GET", "/api/v1/pipelines/3", 200, one_job_pipeline("failed"));
        auto result = fmg_at(coordinator, {"logs", "3", "--follow"});
        CHECK(result.exit_code == exit_code::kFailed);
        CHECK(result.out == "step 1\nstep 2\ndone\n");
        CHECK(result.err == "fmg: job build failed\n");
    }
    CHECK(streams == 1);
    std::vector<std::string> uris;
    for (const auto& request : coordinator.requests()) uris.push_back(request.uri);
    CHECK(std::count(uris.begin(), uris.end(), "/api/v1/pipelines/3/jobs/build/log?follow=1") == 1);
}

TEST_CASE("logs --follow of a pipeline whose config is still being read waits for its job") {
    FakeCoordinator coordinator;
    std::atomic<int> looks{0};
    const std::string preparing = R"({"id": 3, "status": "queued", "jobs": [], "error": null})";
    coordinator.on("GET", "/api/v1/pipelines/3",
                   [&](const RecordedRequest&, HTTPServerResponse& response) {
                       response.setContentType("application/json");
                       response.send() << (++looks <= 2 ? preparing : one_job_pipeline("success"));
                   });
    coordinator.on("GET", "/api/v1/pipelines/3/jobs/build/log",
                   [&](const RecordedRequest&, HTTPServerResponse& response) {
                       stream_in_chunks(response, {"built\n"});
                   });
    auto followed = fmg_at(coordinator, {"logs", "3", "--follow"});
    CHECK(followed.exit_code == exit_code::kOk);
    CHECK(followed.out == "built\n");
    CHECK(looks >= 3);

    // Without --follow it says why there is nothing yet.
    coordinator.reply("GET", "/api/v1/pipelines/4", 200,
                      R"({"id": 4, "status": "queued", "jobs": [], "error": null})");
    auto plain = fmg_at(coordinator, {"logs", "4"});
    CHECK(plain.exit_code == exit_code::kFailed);
    CHECK(plain.err ==
          "fmg: pipeline #4 has no jobs yet: its config is being read (--follow waits)\n");
}
