#pragma once
// A step's output as it goes to the job log, with fmg's own notices ("fmg: ...") always on
// a line of their own.

#include <string>
#include <string_view>

#include "agent/executor/executor.h"

namespace fmg::agent {

/// Formats a duration as Go and CircleCI do: "10m0s", "1h0m0s", "1.5s", "250ms", "0s".
std::string format_duration(std::chrono::milliseconds duration);

/// The notice written when a step is stopped for being silent too long.
std::string no_output_timeout_notice(std::chrono::milliseconds timeout);

class StepOutput;

/// Writes "fmg: <message>" and returns an executor error carrying `message`.
StepExit executor_error(StepOutput& output, std::string message);

class StepOutput {
  public:
    explicit StepOutput(const OutputSink& sink) : sink_(sink) {}

    /// Passes the step's own bytes on.
    void write(std::string_view bytes);

    /// Writes "fmg: <text>\n", first ending the step's last line if it was unterminated.
    void notice(std::string_view text);

  private:
    const OutputSink& sink_;
    bool at_line_start_ = true;
};

}  // namespace fmg::agent
