#pragma once
// Runs one attempt on its own thread: checks the commit out of the mirror cache into a fresh
// workspace (in the fmg-checkout helper, checkout.h), starts the executor's job execution, runs
// the steps in order and reports every step, every byte of output and the result to the
// link's mailbox (coordinator_link.h).

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "agent/executor/executor.h"
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
    /// Checks the commit out into the workspace, or into `path` under it (a checkout step's
    /// working_directory: relative, without `..`).
    bool checkout(const std::string& path, const OutputSink& output, std::string& error);
    void emit_output(std::string_view bytes);

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
    bool at_line_start_ = true;           // the runner thread's only: the output so far ends a line
    bool timeout_noted_ = false;          // the runner thread's only
    std::mutex execution_mutex_;
    std::unique_ptr<JobExecution> execution_;  // guarded by execution_mutex_ for cancel()
    std::thread thread_;
};

}  // namespace fmg::agent
