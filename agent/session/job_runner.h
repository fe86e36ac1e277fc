#pragma once
// Runs one attempt on its own thread: checks the commit out of the mirror cache into a fresh
// workspace, starts the executor's job session, runs the steps in order and reports every
// step, every byte of output and the result to the session's mailbox.

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "agent/executor/executor.h"
#include "agent/session/runner_events.h"
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

    void start();
    /// Stops the job: the running step is killed, the rest are not run, the result is
    /// `cancelled`. Thread-safe, idempotent.
    void cancel();

  private:
    void run();
    /// Runs the steps; returns the job's outcome and error text.
    std::pair<protocol::JobOutcome, std::string> run_steps();
    bool checkout(const OutputSink& output, std::string& error);
    void emit_output(std::string_view bytes);

    protocol::Assign assign_;
    Executor& executor_;
    std::filesystem::path work_dir_;
    std::filesystem::path workspace_;
    Mailbox<RunnerEvent>& events_;
    const Clock& clock_;

    std::atomic<bool> cancelled_{false};
    std::mutex session_mutex_;
    std::unique_ptr<JobSession> session_;  // guarded by session_mutex_ for cancel()
    std::thread thread_;
};

}  // namespace fmg::agent
