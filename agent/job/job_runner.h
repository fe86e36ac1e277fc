#pragma once
// Runs one attempt on its own thread: checks the commit out of the mirror cache into a fresh
// workspace (in the fmg-checkout helper, checkout.h), starts the executor's job execution, runs
// the steps in order and reports every step, every byte of output and the result to the
// link's mailbox (coordinator_link.h).

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "agent/executor/executor.h"
#include "agent/job/background_steps.h"
#include "agent/job/cache_keys.h"
#include "agent/job/checkout.h"
#include "agent/job/runner_events.h"
#include "agent/link/output_gate.h"
#include "protocol/messages.h"
#include "shared/clock.h"
#include "shared/mailbox.h"

namespace fmg::agent {

class JobRunner {
  public:
    JobRunner(protocol::Assign assign, Executor& executor, std::filesystem::path work_dir,
              Mailbox<RunnerEvent>& events, const Clock& clock);
    /// Cancels and joins.
    ~JobRunner();
    JobRunner(const JobRunner&) = delete;
    JobRunner& operator=(const JobRunner&) = delete;

    /// Starts the job's thread; the job's time limit (Assign::job_timeout_ms) runs from now.
    void start();
    /// Stops the job: the running step is killed, the rest are not run, the result is
    /// `cancelled`. Thread-safe, idempotent.
    void cancel();

    /// When the job's time is up: nullopt without a limit, before start(), and once the
    /// limit was enforced. For the link's loop, which calls enforce_deadline() then.
    std::optional<SteadyTime> deadline() const { return deadline_; }
    /// If the job's time is up at `now`, stops it as cancel() does, except that the log gets
    /// "fmg: job timed out after N s (--job-timeout)" and the result is `error` with
    /// "job timed out after N s". Returns whether it stopped the job now. Call from the thread
    /// that called start().
    bool enforce_deadline(SteadyTime now);

    /// The flow control of this attempt's output, which the link meters and releases.
    OutputGate& gate() { return gate_; }

  private:
    void run();
    /// Runs the steps; returns the job's outcome and error text.
    std::pair<protocol::JobOutcome, std::string> run_steps();
    /// The result of a job stopped by cancel() or by its time limit; for the latter, writes
    /// the line that says so into the log (once).
    std::pair<protocol::JobOutcome, std::string> stopped_result(const OutputSink& output);
    /// stopped_result for a step the stop ended while it ran: also its StepEnded (failed when
    /// the job's time was up, else cancelled).
    std::pair<protocol::JobOutcome, std::string> stopped_in_step(uint32_t index,
                                                                 const OutputSink& output);
    /// Checks the commit out into the workspace, or into `path` under it (a checkout step's
    /// working_directory: relative, without `..`).
    bool checkout(const std::string& path, const OutputSink& output, std::string& error);
    /// A `setup_remote_docker` step: the DOCKER_HOST of the later steps, with a line in the
    /// log, or an error saying the runner gives jobs no engine (Executor::job_docker_host).
    Result<std::string> give_docker_engine(const OutputSink& output);
    /// An `add_ssh_keys` step: loads the keys its `fingerprints` select of the job's secrets
    /// into the job's SSH agent (ssh_keys.h) and returns the SSH_AUTH_SOCK of the later steps;
    /// or an error, said in the log, when a key is missing or cannot be loaded.
    Result<std::string> add_ssh_keys(const protocol::StepSpec& step, const OutputSink& output);
    void emit_output(std::string_view bytes);
    /// Asks the link to upload `file` and waits until the coordinator stored it (or said why
    /// not); fails at once when the job is cancelled meanwhile. The upload's id.
    Result<uint64_t> upload_file(const std::filesystem::path& file, protocol::UploadKind kind,
                                 const std::string& path, uint64_t size, const std::string& sha256);
    /// upload_file for a step that needs no upload id.
    Status store_file(const std::filesystem::path& file, protocol::UploadKind kind,
                      const std::string& path, uint64_t size, const std::string& sha256);
    /// Sends a cache look-up or save through the link and waits for the coordinator's answer;
    /// fails at once when the job is cancelled meanwhile.
    Result<protocol::CacheAnswer> cache_request(
        std::variant<protocol::CacheFind, protocol::CacheSave> message);
    /// What the step's cache keys are rendered with (cache_keys.h).
    CacheKeyContext cache_key_context(const protocol::StepSpec& step,
                                      const std::filesystem::path& spool);
    /// Asks the link to fetch the blob `sha256` into `file`, waits, and checks its digest.
    Status fetch_blob(const std::string& sha256, const std::filesystem::path& file);
    /// A step that moves files (store_artifacts.h, workspace_steps.h); its outcome.
    protocol::StepOutcome file_step(const protocol::StepSpec& step, const OutputSink& output);
    /// Runs a foreground run step, again after a failure while its `max_auto_reruns` last;
    /// returns the last try's exit. Writes which try it is to the log.
    StepExit run_with_reruns(const protocol::StepSpec& spec, const RunStep& run,
                             const OutputSink& output);
    /// Waits `delay` before a rerun; false when the job was cancelled meanwhile.
    bool wait_before_rerun(Millis delay);
    /// Reports a background step that ended (its StepEnded and a line in the log).
    void background_ended(uint32_t index, const std::string& name, const StepExit& exit,
                          const OutputSink& output);
    /// The step's outcome for its StepEnded.
    protocol::StepOutcome step_outcome(const StepExit& exit) const;

    protocol::Assign assign_;
    Executor& executor_;
    std::filesystem::path work_dir_;
    std::filesystem::path workspace_;
    Mailbox<RunnerEvent>& events_;
    const Clock& clock_;

    OutputGate gate_;
    Checkout checkout_;
    std::atomic<bool> cancelled_{false};
    std::atomic<bool> timed_out_{false};  // set before cancelled_ when the time is up
    std::optional<SteadyTime> deadline_;  // the link thread's only
    std::mutex output_mutex_;  // background steps write to the log from threads of their own
    std::atomic<bool> at_line_start_{true};  // the output so far ends a line
    bool timeout_noted_ = false;             // the runner thread's only
    std::mutex execution_mutex_;
    std::unique_ptr<JobExecution> execution_;  // guarded by execution_mutex_ for cancel()
    BackgroundSteps background_;               // after execution_: they run in it
    std::mutex rerun_mutex_;                   // for rerun_wake_
    std::condition_variable rerun_wake_;       // cancel() ends a wait before a rerun
    uint64_t uploads_started_ = 0;             // the runner thread's: upload ids
    uint64_t fetches_started_ = 0;             // the runner thread's: fetch ids
    uint64_t cache_requests_started_ = 0;      // the runner thread's: cache request ids
    std::thread thread_;
};

}  // namespace fmg::agent
