#pragma once
// msgpack encoding and decoding of the agent protocol's frames (protocol/PROTOCOL.md).
// Encoding cannot fail; decoding never trusts its input and never throws: every problem is an
// Error whose message says what is wrong, ready to log or to send back in a `reject`.

#include <string>
#include <string_view>

#include "protocol/messages.h"
#include "shared/result.h"

namespace fmg::protocol {

/// The msgpack bytes of one frame carrying `message` (an agent's message to the coordinator),
/// in the envelope {v: kProtocolVersion, type, fields...}. Never fails; a message that breaks
/// the limits of PROTOCOL.md section 5 is encoded anyway and refused by the receiver, so
/// senders building messages from user input check them with validate() first.
std::string encode(const AgentMessage& message);

/// The msgpack bytes of one frame carrying `message` (the coordinator's message to an agent).
/// Same contract as encode(const AgentMessage&).
std::string encode(const CoordinatorMessage& message);

/// Decodes a frame the coordinator received from an agent. Fails, with a message naming the
/// problem, if the frame is larger than kMaxFrameBytes, is not exactly one msgpack map, has
/// a version outside [kMinimumProtocolVersion, kProtocolVersion], an unknown type or one that
/// only the coordinator sends, a missing or duplicate field, a field of the wrong msgpack
/// type or out of range, or breaks a size limit. Unknown fields are ignored.
Result<AgentMessage> decode_agent_message(std::string_view frame);

/// Decodes a frame an agent received from the coordinator; fails as decode_agent_message()
/// does. A `reject` decodes whatever its version, so an agent can show why it was refused.
Result<CoordinatorMessage> decode_coordinator_message(std::string_view frame);

/// The message's wire type, e.g. "hello", "job_finished" (for logs and metrics).
std::string_view type_name(const AgentMessage& message);
std::string_view type_name(const CoordinatorMessage& message);

/// Checks that the receiver will accept `message`: fails with exactly the error its decoder
/// would report (a step's command over kMaxTextBytes, too many steps, a frame over
/// kMaxFrameBytes, an environment name containing '=', ...). Costs one encode and decode.
Status validate(const AgentMessage& message);
Status validate(const CoordinatorMessage& message);

}  // namespace fmg::protocol
