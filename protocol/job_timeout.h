#pragma once
// The words a job that ran past its `job_timeout_ms` (PROTOCOL.md 6.2, `assign`) ends with.
// The agent stops such a job and the coordinator ends it itself when the agent's result does
// not come; either way the user must read the same text.

#include <string>

#include "shared/clock.h"

namespace fmg::protocol {

/// "job timed out after 60 s" (or "after 1500 ms" for a limit that is not whole seconds): the
/// attempt's error and its GitHub status; the agent's log line adds "fmg: " before it.
std::string job_timeout_message(Millis limit);

}  // namespace fmg::protocol
