// Lost attempts (retried up to --max-attempts, then the job is an error), cancelled
// pipelines, and the 140-character limit of GitHub status descriptions.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "coordinator/lifecycle/operations.h"
#include "tests/unit/coordinator/store_fixture.h"

using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;

namespace {

/// Whether `text` is well-formed UTF-8.
bool valid_utf8(const std::string& text) {
    size_t i = 0;
    while (i < text.size()) {
        auto byte = static_cast<unsigned char>(text[i]);
        size_t length = byte < 0x80           ? 1
                        : (byte >> 5) == 0x6  ? 2
                        : (byte >> 4) == 0xE  ? 3
                        : (byte >> 3) == 0x1E ? 4
                                              : 0;
        if (length == 0 || i + length > text.size()) return false;
        for (size_t k = 1; k < length; ++k) {
            if ((static_cast<unsigned char>(text[i + k]) >> 6) != 0x2) return false;
        }
        i += length;
    }
    return true;
}

/// Characters (code points) of well-formed UTF-8.
size_t characters(const std::string& text) {
    size_t count = 0;
    for (char c : text) count += (static_cast<unsigned char>(c) >> 6) != 0x2 ? 1 : 0;
    return count;
}

}  // namespace

TEST_CASE("a lost attempt below --max-attempts queues its job again, silently") {
    Store store;
    PipelineId pipeline = add_pipeline(store.db);
    JobId job = add_job(store.db, pipeline, "build", 0);
    RunnerId runner_1 = add_runner(store.db, "runner-1");
    RunnerId runner_2 = add_runner(store.db, "runner-2");
    AttemptId first = start_job(store.db, job, runner_1, kT0);

    lifecycle::lose_attempt(store.db, store.statuses, first, AttemptState::lost,
                            "runner-1 silent for 3012 ms", 3, kT0 + 3000);

    auto attempt = attempt_row(store.db, first);
    CHECK(attempt.status == AttemptState::lost);
    CHECK(attempt.error == "runner-1 silent for 3012 ms");
    CHECK(attempt.finished_at == kT0 + 3000);
    CHECK(job_named(store.db, pipeline, "build").status == JobState::queued);
    CHECK(pipeline_row(store.db, pipeline).status == PipelineState::running);
    CHECK(outbox_rows(store.db).empty());  // GitHub still shows `pending`

    // The next attempt goes out with number 2, on another runner.
    auto second = lifecycle::dispatch_job(store.db, job, runner_2, kT0 + 3100);
    REQUIRE(second.has_value());
    CHECK(second->number == 2);
    CHECK(attempt_row(store.db, second->attempt_id).runner_host == "runner-2");
    CHECK(pipelines::attempts_of(store.db, job).size() == 2);
}

TEST_CASE("the attempt lost at --max-attempts ends the job and pipeline in error") {
    Store store;
    PipelineId pipeline = add_pipeline(store.db);
    JobId job = add_job(store.db, pipeline, "build", 0);
    RunnerId runner = add_runner(store.db, "runner-1");
    for (int i = 0; i < 3; ++i) {
        AttemptId attempt = start_job(store.db, job, runner, kT0 + i * 10'000);
        lifecycle::lose_attempt(store.db, store.statuses, attempt, AttemptState::lost,
                                "runner-1 disconnected", 3, kT0 + i * 10'000 + 5000);
    }

    auto attempts = pipelines::attempts_of(store.db, job);
    REQUIRE(attempts.size() == 3);
    for (const auto& attempt : attempts) CHECK(attempt.status == AttemptState::lost);
    auto row = job_named(store.db, pipeline, "build");
    CHECK(row.status == JobState::error);
    CHECK(row.finished_at == kT0 + 25'000);
    auto p = pipeline_row(store.db, pipeline);
    CHECK(p.status == PipelineState::error);
    CHECK(p.finished_at == kT0 + 25'000);
    CHECK(pipelines::failed_job_names(store.db, pipeline) == std::vector<std::string>{"build"});
    CHECK_FALSE(lifecycle::dispatch_job(store.db, job, runner, kT0 + 30'000).has_value());

    auto statuses = outbox_rows(store.db);
    REQUIRE(statuses.size() == 1);
    CHECK(statuses[0].context == "fmg/build");
    CHECK(statuses[0].state == "error");
    CHECK_THAT(statuses[0].description, Catch::Contains("3 attempt"));
    CHECK_THAT(statuses[0].description, Catch::Contains("runner-1 disconnected"));
}

TEST_CASE("losing an attempt that already ended changes nothing") {
    Store store;
    PipelineId pipeline = add_pipeline(store.db);
    JobId job = add_job(store.db, pipeline, "build", 0);
    AttemptId attempt =
        run_job(store, job, add_runner(store.db, "runner-1"), AttemptState::success, kT0);

    lifecycle::lose_attempt(store.db, store.statuses, attempt, AttemptState::lost,
                            "runner-1 disconnected", 3, kT0 + 9000);

    CHECK(attempt_row(store.db, attempt).status == AttemptState::success);
    CHECK(job_named(store.db, pipeline, "build").status == JobState::success);
    CHECK(pipeline_row(store.db, pipeline).status == PipelineState::success);
    CHECK(outbox_rows(store.db).size() == 1);
}

TEST_CASE("cancelling a pipeline stops its attempts, cancels its jobs, and says so on GitHub") {
    Store store;
    PipelineId pipeline = add_pipeline(store.db);
    JobId running = add_job(store.db, pipeline, "build", 0);
    add_job(store.db, pipeline, "lint", 1);               // queued, announced as pending
    add_job(store.db, pipeline, "deploy", 2, {"build"});  // blocked, never announced
    RunnerId runner = add_runner(store.db, "runner-1");
    AttemptId attempt = start_job(store.db, running, runner, kT0);

    auto stopped = lifecycle::cancel_pipeline(store.db, store.statuses, pipeline, kT0 + 2000);

    REQUIRE(stopped.size() == 1);
    CHECK(stopped[0].id == attempt);
    CHECK(stopped[0].runner_id == runner);
    CHECK(attempt_row(store.db, attempt).status == AttemptState::cancelled);
    for (const char* name : {"build", "lint", "deploy"}) {
        CAPTURE(name);
        CHECK(job_named(store.db, pipeline, name).status == JobState::cancelled);
    }
    auto p = pipeline_row(store.db, pipeline);
    CHECK(p.status == PipelineState::cancelled);
    CHECK(p.finished_at == kT0 + 2000);

    auto statuses = outbox_rows(store.db);
    REQUIRE(statuses.size() == 2);
    CHECK(statuses[0].context == "fmg/build");
    CHECK(statuses[0].state == "error");
    CHECK(statuses[1].context == "fmg/lint");
    CHECK(statuses[1].state == "error");

    // The cancelled attempt's late result is refused; a second cancel does nothing.
    CHECK_FALSE(lifecycle::finish_attempt(store.db, store.statuses, attempt, AttemptState::success,
                                          std::nullopt, kT0 + 3000));
    CHECK(lifecycle::cancel_pipeline(store.db, store.statuses, pipeline, kT0 + 4000).empty());
    CHECK(pipeline_row(store.db, pipeline).status == PipelineState::cancelled);
    CHECK(outbox_rows(store.db).size() == 2);
}

TEST_CASE("cancelling a finished pipeline changes nothing") {
    Store store;
    PipelineId pipeline = add_pipeline(store.db);
    JobId job = add_job(store.db, pipeline, "build", 0);
    run_job(store, job, add_runner(store.db, "runner-1"), AttemptState::failed, kT0);

    CHECK(lifecycle::cancel_pipeline(store.db, store.statuses, pipeline, kT0 + 9000).empty());
    CHECK(pipeline_row(store.db, pipeline).status == PipelineState::failed);
    CHECK(job_named(store.db, pipeline, "build").status == JobState::failed);
    CHECK(outbox_rows(store.db).size() == 1);
}

TEST_CASE("status descriptions stay within GitHub's 140 characters") {
    CHECK(lifecycle::status_description("Job build passed") == "Job build passed");
    std::string exactly(140, 'x');
    CHECK(lifecycle::status_description(exactly) == exactly);

    std::string long_text = "config error: " + std::string(300, 'y');
    std::string cut = lifecycle::status_description(long_text);
    CHECK(cut.size() == 140);
    CHECK(cut.substr(0, 100) == long_text.substr(0, 100));
    CHECK_THAT(cut, Catch::EndsWith("..."));
}

TEST_CASE("a cut status description is still valid UTF-8 (GitHub refuses anything else)") {
    // 200 two-byte characters: a byte-wise cut at 137 would split one in half.
    std::string accented;
    for (int i = 0; i < 200; ++i) accented += "\xC3\xA9";  // é
    std::string cut = lifecycle::status_description(accented);
    CHECK(valid_utf8(cut));
    CHECK(characters(cut) <= 140);
    CHECK(cut.substr(0, 40) == accented.substr(0, 40));

    // Short non-ASCII text within 140 characters (but over 140 bytes) is kept whole.
    std::string short_accented;
    for (int i = 0; i < 100; ++i) short_accented += "\xC3\xA9";
    CHECK(lifecycle::status_description(short_accented) == short_accented);
}

TEST_CASE("a runner's active attempts are those assigned or running on it, no other runner's") {
    Store store;
    PipelineId pipeline = add_pipeline(store.db);
    RunnerId mine = add_runner(store.db, "runner-mine");
    RunnerId other = add_runner(store.db, "runner-other");
    AttemptId running = start_job(store.db, add_job(store.db, pipeline, "a", 0), mine, kT0);
    auto assigned =
        lifecycle::dispatch_job(store.db, add_job(store.db, pipeline, "b", 1), mine, kT0);
    REQUIRE(assigned.has_value());
    run_job(store, add_job(store.db, pipeline, "c", 2), mine, AttemptState::success, kT0);
    AttemptId others = start_job(store.db, add_job(store.db, pipeline, "d", 3), other, kT0);

    std::vector<AttemptId> ids;
    for (const AttemptRow& row : pipelines::active_attempts_of(store.db, mine)) {
        CHECK(row.runner_id == mine);
        ids.push_back(row.id);
    }
    CHECK(ids == std::vector<AttemptId>{running, assigned->attempt_id});
    REQUIRE(pipelines::active_attempts_of(store.db, other).size() == 1);
    CHECK(pipelines::active_attempts_of(store.db, other)[0].id == others);
}
