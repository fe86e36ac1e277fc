#pragma once
// What a job runner thread reports to the agent's event loop (CoordinatorLink), through its
// mailbox.

#include <cstdint>
#include <string>
#include <variant>

#include "agent/link/cache_requests.h"
#include "agent/link/outgoing_fetches.h"
#include "agent/link/outgoing_uploads.h"
#include "protocol/messages.h"

namespace fmg::agent {

struct StepBegan {
    protocol::AttemptId attempt_id = 0;
    uint32_t step_index = 0;
    int64_t at_ms = 0;
};
struct Output {
    protocol::AttemptId attempt_id = 0;
    std::string bytes;
};
struct StepEnded {
    protocol::AttemptId attempt_id = 0;
    uint32_t step_index = 0;
    protocol::StepOutcome outcome = protocol::StepOutcome::success;
    int32_t exit_code = 0;
    int64_t at_ms = 0;
};
struct JobEnded {
    protocol::AttemptId attempt_id = 0;
    protocol::JobOutcome outcome = protocol::JobOutcome::success;
    std::string error;
    int64_t at_ms = 0;
};

using RunnerEvent =
    std::variant<StepBegan, Output, StepEnded, JobEnded, UploadRequest, FetchRequest, CacheRequest>;

}  // namespace fmg::agent
