#pragma once
// The frame limit as a ZeroMQ socket option (PROTOCOL.md 2.3): with ZMQ_MAXMSGSIZE set,
// libzmq reads the size in a message's header and drops the connection of a peer that
// announces more, before allocating for it. Without it a peer (any holder of a runner's
// keys, or a compromised coordinator) makes the receiver buffer a frame of any size, 1 GiB
// or more, only for the decoder to refuse it afterwards.

#include <cstddef>
#include <cstdint>
#include <zmq.hpp>

#include "protocol/messages.h"

namespace fmg::protocol {

/// What CURVE adds to each frame on the wire, where libzmq checks ZMQ_MAXMSGSIZE: the frame
/// travels inside a MESSAGE command of an 8-byte command name, an 8-byte nonce, a 16-byte
/// MAC and a flags byte (libzmq's curve_mechanism_base.cpp).
inline constexpr std::size_t kCurveMessageOverhead = 8 + 8 + 16 + 1;

/// The ZMQ_MAXMSGSIZE of both sides' sockets. Under CURVE it is exact: a frame of
/// kMaxFrameBytes arrives, a larger one costs the sender its connection. In insecure mode a
/// frame up to kCurveMessageOverhead bytes larger passes ZeroMQ and is refused by the decoder
/// instead (PROTOCOL.md 4).
inline constexpr int64_t kMaxWireMessageBytes =
    static_cast<int64_t>(kMaxFrameBytes + kCurveMessageOverhead);

/// Sets ZMQ_MAXMSGSIZE to kMaxWireMessageBytes. Call before bind() or connect(): ZeroMQ
/// applies it to connections made afterwards. Throws zmq::error_t as setsockopt does.
inline void limit_inbound_frames(zmq::socket_t& socket) {
    socket.set(zmq::sockopt::maxmsgsize, kMaxWireMessageBytes);
}

}  // namespace fmg::protocol
