#pragma once
// What the CLI shows, decoded from the API's JSON (wire types are not domain types,
// principles: wire types are not domain types). Times stay as the API's RFC 3339 text; a missing or
// null time is empty.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fmg::cli {

struct StepView {
    std::string name;
    std::string status;
    std::optional<int64_t> exit_code;
    std::string started_at;
    std::string finished_at;
};

struct AttemptView {
    int64_t id = 0;
    int64_t number = 0;
    std::string runner;  // the runner's host, empty while unassigned
    std::string status;
    std::string started_at;
    std::string finished_at;
    std::string error;
};

/// What a job's store_test_results steps reported (the API's `tests`).
struct TestsView {
    int64_t total = 0;
    int64_t failed = 0;
    int64_t skipped = 0;
    struct Failure {
        std::string name;
        std::string classname;
        std::string message;
    };
    std::vector<Failure> failures;  // the API lists at most 100
};

struct JobView {
    std::string name;
    std::string status;
    std::string type;                   // build, approval or no-op; empty from an older server
    std::vector<std::string> required;  // the API's `requires` (a C++20 keyword)
    std::string started_at;
    std::string finished_at;
    std::string approved_by;  // who released it from on_hold (or approved it); empty if nobody
    std::string approved_at;
    std::vector<std::string> labels;  // what its runner must be labelled with
    std::string waiting_reason;       // why a queued job waits; empty when it does not say
    std::vector<StepView> steps;
    std::vector<AttemptView> attempts;
    std::optional<TestsView> tests;  // null in the API: no test results
};

struct PipelineView {
    int64_t id = 0;
    std::string repo;  // owner/name
    std::string repo_url;
    std::string ref;
    std::string sha;
    std::string trigger;
    std::string status;
    std::vector<std::string> failed_jobs;
    std::string created_at;
    std::string started_at;
    std::string finished_at;
    std::string error;
    // A pull request from a fork: its head repository (empty for a deleted fork), who
    // approved it as a whole, and the jobs still waiting for approval.
    bool from_fork = false;
    std::string fork;
    std::string approved_by;
    std::string approved_at;
    std::vector<std::string> held_jobs;
    std::vector<JobView> jobs;  // empty in listings
};

/// A job a runner is busy with, when the API says more than the attempt id.
struct RunningJobView {
    int64_t attempt_id = 0;
    std::optional<int64_t> pipeline_id;
    std::string job;
};

struct RunnerView {
    int64_t id = 0;
    std::string host;
    std::vector<std::string> labels;
    int64_t capacity = 0;
    std::string state;
    std::string last_heartbeat_at;
    std::vector<int64_t> running;  // attempt ids
    // Optional `running_jobs: [{"attempt_id", "pipeline_id", "job"}]`; when the API gives
    // it, runner lines say "#12/build" instead of "attempt 57".
    std::vector<RunningJobView> running_jobs;
    std::string version;
};

}  // namespace fmg::cli
