// The socket monitor decoder on real sockets: libzmq's own events for a loopback TCP
// connection, read back through open_monitor and receive_monitor_event.

#include "shared/zmq_monitor.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <memory>

using namespace fmg;

namespace {

/// Reads `monitor` until an event of kind `wanted` arrives (others are skipped); nullopt if
/// none comes within 10 s.
std::optional<MonitorEvent> wait_for_event(zmq::socket_t& monitor, uint16_t wanted) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
        zmq::pollitem_t item{monitor.handle(), 0, ZMQ_POLLIN, 0};
        zmq::poll(&item, 1, std::chrono::milliseconds(100));
        while (auto event = receive_monitor_event(monitor)) {
            if (event->event == wanted) return event;
        }
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("zmq monitor: a connection's events arrive with their descriptor and endpoint") {
    zmq::context_t context;
    zmq::socket_t router(context, zmq::socket_type::router);
    router.set(zmq::sockopt::linger, 0);
    zmq::socket_t monitor = open_monitor(context, router, "inproc://test-router-monitor",
                                         ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED);
    router.bind("tcp://127.0.0.1:*");
    const std::string endpoint = router.get(zmq::sockopt::last_endpoint);
    CHECK_FALSE(receive_monitor_event(monitor).has_value());  // nothing has happened yet

    auto dealer = std::make_unique<zmq::socket_t>(context, zmq::socket_type::dealer);
    dealer->set(zmq::sockopt::linger, 0);
    dealer->connect(endpoint);

    auto accepted = wait_for_event(monitor, ZMQ_EVENT_ACCEPTED);
    REQUIRE(accepted);
    CHECK(accepted->endpoint == endpoint);
    CHECK(accepted->value > 0);  // the accepted connection's file descriptor

    dealer.reset();  // the peer goes away: the ROUTER's side of the connection closes
    auto disconnected = wait_for_event(monitor, ZMQ_EVENT_DISCONNECTED);
    REQUIRE(disconnected);
    CHECK(disconnected->endpoint == endpoint);
    CHECK(disconnected->value == accepted->value);  // the same connection
}

TEST_CASE("zmq monitor: a message too short to be an event is skipped") {
    zmq::context_t context;
    zmq::socket_t sender(context, zmq::socket_type::pair);
    zmq::socket_t monitor(context, zmq::socket_type::pair);
    sender.bind("inproc://test-short-events");
    monitor.connect("inproc://test-short-events");

    sender.send(zmq::buffer(std::string("abc")), zmq::send_flags::sndmore);
    sender.send(zmq::buffer(std::string("tcp://ignored")), zmq::send_flags::none);
    // A well-formed event in libzmq's layout: event id, then value, in host byte order.
    const uint16_t id = ZMQ_EVENT_CONNECTED;
    const uint32_t value = 42;
    std::string header(sizeof id + sizeof value, '\0');
    std::memcpy(header.data(), &id, sizeof id);
    std::memcpy(header.data() + sizeof id, &value, sizeof value);
    sender.send(zmq::buffer(header), zmq::send_flags::sndmore);
    sender.send(zmq::buffer(std::string("tcp://127.0.0.1:5555")), zmq::send_flags::none);

    std::optional<MonitorEvent> event;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!event && std::chrono::steady_clock::now() < deadline) {
        zmq::pollitem_t item{monitor.handle(), 0, ZMQ_POLLIN, 0};
        zmq::poll(&item, 1, std::chrono::milliseconds(100));
        event = receive_monitor_event(monitor);
    }
    REQUIRE(event);
    CHECK(event->event == ZMQ_EVENT_CONNECTED);
    CHECK(event->value == 42);
    CHECK(event->endpoint == "tcp://127.0.0.1:5555");
    CHECK_FALSE(receive_monitor_event(monitor).has_value());
}
