// Checking a message against the receiver's rules before sending it (PROTOCOL.md 5).

#include "protocol/codec.h"

namespace fmg::protocol {

Status validate(const AgentMessage& message) {
    auto decoded = decode_agent_message(encode(message));
    if (!decoded) return decoded.error();
    return {};
}

Status validate(const CoordinatorMessage& message) {
    auto decoded = decode_coordinator_message(encode(message));
    if (!decoded) return decoded.error();
    return {};
}

}  // namespace fmg::protocol
