#pragma once
// Fault tests need a job that is provably running on one runner while the test breaks that
// runner: a job whose one step prints a line and then holds until the test releases it.
// These helpers write that config, watch its attempts through the REST API, release the
// held step, and find and remove the Docker containers an attempt left behind.

#include <Poco/JSON/Object.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/cluster.h"

namespace fmg::testing {

/// A pipeline config whose job `build` checks out and then runs one step, "Hold", which
/// creates the file `holding` in its working directory, prints
///   `first line in DIR (step ID)`
/// waits until the file `release` appears next to `holding`, and prints
///   `last line in DIR (step ID)`
/// DIR is the step's working directory (the attempt's workspace for the shell executor, the
/// same in every container for Docker); `(step ID)` is only printed where the executor sets
/// FMG_STEP_ID (Docker: `ATTEMPT-STEP`). With the shell executor the step also ends, without
/// its last line, once the agent that started it is gone, so a killed agent leaves nothing
/// running.
std::string held_job_config();

/// A pipeline pushed with held_job_config().
struct HeldPipeline {
    std::string sha;  // the commit it runs
    int64_t id = 0;   // the pipeline's id
};

/// Creates a repository holding held_job_config(), commits it and delivers the signed push;
/// returns the pipeline the coordinator accepted.
HeldPipeline push_held_job(Cluster& cluster);

/// The text every line of the held step starts with.
inline const std::string kHeldFirstLine = "first line in ";
inline const std::string kHeldLastLine = "last line in ";

/// The attempts of job `job` in a pipeline object, as the API lists them (by number); none
/// while the pipeline has no such job yet (its config is still being read).
std::vector<Poco::JSON::Object::Ptr> job_attempts(const Poco::JSON::Object::Ptr& pipeline,
                                                  const std::string& job);

/// GET /api/v1/pipelines/ID/jobs/JOB/log: the current attempt's log, or attempt number
/// `attempt_number`'s. Fails the test unless the API answers 200.
std::string job_log(const Cluster& cluster, int64_t pipeline_id, const std::string& job,
                    std::optional<int64_t> attempt_number = std::nullopt);

/// Polls until attempt number `number` of job `build` is `running` and its log shows the held
/// step's first line; returns that attempt object (with its `id` and `runner`).
Poco::JSON::Object::Ptr wait_until_held(Cluster& cluster, int64_t pipeline_id, int64_t number,
                                        std::chrono::milliseconds timeout = kPipelineTimeout);

/// Creates `release` next to every `holding` file under the work dir of agent `runner`
/// (DIR/agents/RUNNER), which lets its held steps finish; returns how many it released.
size_t release_held_steps(const Cluster& cluster, const std::string& runner);

/// The ids of the containers labelled `fmg.attempt=ATTEMPT_ID`, running or not
/// (`docker ps -a`). Fails the test when the docker CLI fails.
std::vector<std::string> attempt_containers(int64_t attempt_id);

/// Force-removes, when it goes out of scope, the containers of the attempts it was given:
/// an agent killed with SIGKILL leaves its job container running, and no test may leak one.
class ContainerSweeper {
  public:
    ContainerSweeper() = default;
    ~ContainerSweeper();
    ContainerSweeper(const ContainerSweeper&) = delete;
    ContainerSweeper& operator=(const ContainerSweeper&) = delete;

    /// Remembers an attempt whose containers are to be removed.
    void add(int64_t attempt_id) { attempts_.push_back(attempt_id); }

  private:
    std::vector<int64_t> attempts_;
};

/// How long after `since` the current attempt of job `job` started its first step, by the
/// step's `started_at` in the API (the agent's clock; agents in tests share the machine's).
/// Fails the test when that step has not started.
std::chrono::milliseconds first_step_started_after(const Poco::JSON::Object::Ptr& pipeline,
                                                   const std::string& job,
                                                   std::chrono::system_clock::time_point since);

/// Prints `WHAT: N ms` on its own line to stdout (the measurements fault tests report).
void print_measurement(const std::string& what, std::chrono::milliseconds elapsed);

}  // namespace fmg::testing
