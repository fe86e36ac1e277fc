#include "coordinator/agent_loop/assign_timeouts.h"

#include <algorithm>

#include "coordinator/constants.h"

namespace fmg::coordinator {

Millis assign_timeout(Millis agent_timeout) {
    return std::max(agent_timeout, Millis(kMinAssignTimeout));
}

void AssignTimeouts::sent(AttemptId attempt, SteadyTime now) {
    deadlines_.set(attempt, now + timeout_);
}

}  // namespace fmg::coordinator
