#pragma once
// ZeroMQ socket monitors (zmq_socket_monitor): libzmq reports what happens to a socket's
// connections (handshakes, disconnects) as two-frame messages on an inproc PAIR socket. The
// agent's link tells an authentication refusal from a network problem this way, and the
// coordinator's loop notices an agent's closed connection at once.

#include <cstdint>
#include <optional>
#include <string>
#include <zmq.hpp>

namespace fmg {

/// One event of a socket monitor.
struct MonitorEvent {
    uint16_t event = 0;    // one ZMQ_EVENT_* bit
    uint32_t value = 0;    // the connection's file descriptor, or an error or status code
    std::string endpoint;  // the endpoint the event concerns, as bound or connected
};

/// Makes libzmq report `events` (ZMQ_EVENT_* bits) of `watched` and returns the PAIR socket
/// they arrive on, connected, with linger 0: poll it for ZMQ_POLLIN and read it with
/// receive_monitor_event. `endpoint` is an inproc endpoint no other monitor in `context` uses.
/// Close the returned socket before `watched`. Throws zmq::error_t.
zmq::socket_t open_monitor(zmq::context_t& context, zmq::socket_t& watched,
                           const std::string& endpoint, int events);

/// The next event waiting on a monitor socket, without blocking; nullopt when none waits.
/// A message too short to hold an event is skipped.
std::optional<MonitorEvent> receive_monitor_event(zmq::socket_t& monitor);

}  // namespace fmg
