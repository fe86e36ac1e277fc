#pragma once
// Shared by the coordinator store and lifecycle tests: a temporary directory, a migrated SQLite
// file in it, and short-hands that lay out pipelines, jobs and runners the way the preparer
// and the REST API do.

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "coordinator/domain/job_spec.h"
#include "coordinator/lifecycle/operations.h"
#include "coordinator/store/database.h"
#include "coordinator/store/migrations.h"
#include "coordinator/store/outbox_store.h"
#include "coordinator/store/pipeline_store.h"
#include "coordinator/store/runner_store.h"

namespace fmg::coordinator::testing {

inline constexpr const char* kRepo = "octo/hello";
inline constexpr const char* kRepoUrl = "https://github.com/octo/hello.git";
inline constexpr const char* kSha = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";
inline constexpr const char* kPublicUrl = "https://ci.example.com";
inline constexpr int64_t kT0 = 1'700'000'000'000;  // epoch ms

/// A fresh directory under the system temp directory, removed with everything in it.
class TempDir {
  public:
    TempDir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "fmg-coordinator-test-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

/// A migrated database file in its own temp dir.
struct Store {
    TempDir dir;
    Database db{dir.path() / "fmg.db"};
    lifecycle::StatusContext statuses{kPublicUrl};

    Store() { migrate(db); }
};

/// A pipeline as a webhook creates it: queued, for kRepo at `sha`.
inline PipelineId add_pipeline(Database& db, int64_t created_at = kT0,
                               const std::string& sha = kSha, const std::string& repo = kRepo) {
    return pipelines::insert(db, {repo, "https://github.com/" + repo + ".git", "refs/heads/main",
                                  sha, "push", created_at, std::nullopt});
}

/// A small, valid job spec as the preparer stores it.
inline std::string sample_spec(const std::string& command = "make test") {
    JobSpec spec;
    spec.image.image = "cimg/base:2024.01";
    spec.working_directory = "~/project";
    spec.steps.push_back({"checkout",
                          "Checkout code",
                          "",
                          {},
                          "",
                          0,
                          "on_success",
                          "",
                          false,
                          0,
                          0,
                          {},
                          "",
                          "",
                          "",
                          {},
                          {}});
    spec.steps.push_back({"run",
                          command,
                          command,
                          {},
                          "",
                          0,
                          "on_success",
                          "",
                          false,
                          0,
                          0,
                          {},
                          "",
                          "",
                          "",
                          {},
                          {}});
    return to_json(spec);
}

/// A job as the preparer inserts it: queued when it requires nothing, blocked otherwise.
inline JobId add_job(Database& db, PipelineId pipeline, const std::string& name, int64_t position,
                     const std::vector<std::string>& required = {}) {
    return pipelines::insert_job(
        db, pipeline,
        {name, position, required.empty() ? JobState::queued : JobState::blocked, required,
         sample_spec()},
        kT0);
}

/// A registered runner with a key of its own.
inline RunnerId add_runner(Database& db, const std::string& host) {
    static int next_key = 1;
    char key[65];
    std::snprintf(key, sizeof key, "%064x", next_key++);
    return runners::insert(db, {host, {}, 2, key}, kT0);
}

/// Every status row in the outbox, oldest first.
inline std::vector<OutboxRow> outbox_rows(Database& db) {
    return outbox::due(db, std::numeric_limits<int64_t>::max(), 100'000);
}

/// The job named `name` of the pipeline; fails the test when there is none.
inline JobRow job_named(Database& db, PipelineId pipeline, const std::string& name) {
    auto job = pipelines::find_job_by_name(db, pipeline, name);
    REQUIRE(job.has_value());
    return *job;
}

inline PipelineRow pipeline_row(Database& db, PipelineId id) {
    auto pipeline = pipelines::find(db, id);
    REQUIRE(pipeline.has_value());
    return *pipeline;
}

inline AttemptRow attempt_row(Database& db, AttemptId id) {
    auto attempt = pipelines::find_attempt(db, id);
    REQUIRE(attempt.has_value());
    return *attempt;
}

/// Dispatches the queued job to `runner` and has the runner accept it; the attempt's id.
inline AttemptId start_job(Database& db, JobId job, RunnerId runner, int64_t now) {
    auto dispatched = lifecycle::dispatch_job(db, job, runner, now);
    REQUIRE(dispatched.has_value());
    REQUIRE(lifecycle::start_attempt(db, dispatched->attempt_id, now));
    return dispatched->attempt_id;
}

/// Runs the queued job to the end state `end` in one go.
inline AttemptId run_job(Store& store, JobId job, RunnerId runner, AttemptState end, int64_t now) {
    AttemptId attempt = start_job(store.db, job, runner, now);
    REQUIRE(lifecycle::finish_attempt(store.db, store.statuses, attempt, end, std::nullopt,
                                      now + 1000));
    return attempt;
}

/// The target_url every status of the pipeline links to.
inline std::string target_url_of(PipelineId id) {
    return std::string(kPublicUrl) + "/api/v1/pipelines/" + std::to_string(id);
}

}  // namespace fmg::coordinator::testing

// States print by name when a check fails.
namespace Catch {
template <typename State>
struct StateName {
    static std::string convert(State state) {
        return std::string(fmg::coordinator::to_string(state));
    }
};
template <>
struct StringMaker<fmg::coordinator::PipelineState> : StateName<fmg::coordinator::PipelineState> {};
template <>
struct StringMaker<fmg::coordinator::JobState> : StateName<fmg::coordinator::JobState> {};
template <>
struct StringMaker<fmg::coordinator::AttemptState> : StateName<fmg::coordinator::AttemptState> {};
template <>
struct StringMaker<fmg::coordinator::StepState> : StateName<fmg::coordinator::StepState> {};
template <>
struct StringMaker<fmg::coordinator::RunnerState> : StateName<fmg::coordinator::RunnerState> {};
}  // namespace Catch
