#pragma once
// The `background: true` steps of one job (CircleCI): each runs on a thread of its own while
// the job goes on with its next steps, and is stopped when the job's last step has ended.
// Their output reaches the job's one log in whole lines, so a line of a background step is
// never cut by the output of the step in the foreground (the foreground's own unterminated
// line may still be cut by one of them).

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/executor/executor.h"
#include "agent/executor/wake_signal.h"

namespace fmg::agent {

/// Passes output on in whole lines: bytes after the last newline wait for the next write, or
/// for flush(). A line longer than kMaxHeldBytes is passed on in pieces of that size.
class LineOutput {
  public:
    static constexpr size_t kMaxHeldBytes = 64 * 1024;
    explicit LineOutput(OutputSink sink) : sink_(std::move(sink)) {}
    void write(std::string_view bytes);
    /// Passes on what is held, ending it with a newline.
    void flush();

  private:
    OutputSink sink_;
    std::string held_;
};

class BackgroundSteps {
  public:
    /// Called on the step's thread when it has ended, with how.
    using Ended = std::function<void(uint32_t index, const StepExit& exit)>;

    BackgroundSteps() = default;
    /// Stops and joins what still runs.
    ~BackgroundSteps();
    BackgroundSteps(const BackgroundSteps&) = delete;
    BackgroundSteps& operator=(const BackgroundSteps&) = delete;

    /// Starts `step` (its stop_fd is set here) in `execution` on a new thread, writing its
    /// output to `output` in whole lines, then calling `ended`. `execution` must outlive
    /// stop_and_join().
    void start(uint32_t index, RunStep step, JobExecution& execution, OutputSink output,
               Ended ended);

    /// Asks every running step to stop; returns at once. Thread-safe.
    void stop_all();

    /// stop_all(), then waits until every step's thread has ended (and called its `ended`).
    void stop_and_join();

  private:
    struct Running {
        WakeSignal stop;
        std::thread thread;
    };
    std::mutex mutex_;
    std::vector<std::unique_ptr<Running>> running_;  // under mutex_
};

}  // namespace fmg::agent
