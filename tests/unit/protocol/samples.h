#pragma once
// One message of every type, each with non-trivial field values, for the protocol tests.

#include <string>
#include <vector>

#include "protocol/messages.h"

namespace fmg::protocol::testing {

/// Every AgentMessage alternative once, in variant order.
std::vector<AgentMessage> sample_agent_messages();
/// Every CoordinatorMessage alternative once, in variant order.
std::vector<CoordinatorMessage> sample_coordinator_messages();

/// A log payload with every byte value, NUL included.
std::string all_byte_values();

}  // namespace fmg::protocol::testing
