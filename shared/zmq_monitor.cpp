#include "shared/zmq_monitor.h"

#include <cstring>

namespace fmg {

zmq::socket_t open_monitor(zmq::context_t& context, zmq::socket_t& watched,
                           const std::string& endpoint, int events) {
    if (zmq_socket_monitor(watched.handle(), endpoint.c_str(), events) != 0) {
        throw zmq::error_t();
    }
    zmq::socket_t monitor(context, zmq::socket_type::pair);
    monitor.set(zmq::sockopt::linger, 0);
    monitor.connect(endpoint);
    return monitor;
}

std::optional<MonitorEvent> receive_monitor_event(zmq::socket_t& monitor) {
    while (true) {
        zmq::message_t header;
        if (!monitor.recv(header, zmq::recv_flags::dontwait)) return std::nullopt;
        // The second frame, the endpoint, is sent with the first: it is there once the
        // first is.
        zmq::message_t address;
        if (header.more()) (void)monitor.recv(address, zmq::recv_flags::none);
        // The first frame: the event (16 bits) and its value (32 bits), in host byte order.
        MonitorEvent event;
        if (header.size() < sizeof event.event + sizeof event.value) continue;
        const char* data = static_cast<const char*>(header.data());
        std::memcpy(&event.event, data, sizeof event.event);
        std::memcpy(&event.value, data + sizeof event.event, sizeof event.value);
        event.endpoint = address.to_string();
        return event;
    }
}

}  // namespace fmg
