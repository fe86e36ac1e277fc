// ZMQ_MAXMSGSIZE as both sides set it (protocol/socket_limits.h), over real CURVE sockets on
// loopback: a frame of exactly kMaxFrameBytes still arrives, a larger one is never delivered
// and costs the sender its connection, and the next frame (ZeroMQ reconnects) arrives again.

#include "protocol/socket_limits.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <zmq.hpp>

#include "shared/curve.h"

using namespace fmg;

namespace {

zmq::const_buffer key(const std::string& hex, std::string& storage) {
    storage = *curve::to_binary(hex);
    return zmq::buffer(storage);
}

// A CURVE ROUTER (the coordinator's side) and DEALER (an agent's) on a loopback port.
struct CurvePair {
    zmq::context_t context;
    zmq::socket_t router{context, zmq::socket_type::router};
    zmq::socket_t dealer{context, zmq::socket_type::dealer};
    std::string keys[3];

    CurvePair() {
        const curve::KeyPair server = curve::generate();
        const curve::KeyPair client = curve::generate();
        router.set(zmq::sockopt::linger, 0);
        router.set(zmq::sockopt::curve_server, 1);
        router.set(zmq::sockopt::curve_secretkey, key(server.secret_hex, keys[0]));
        protocol::limit_inbound_frames(router);
        router.bind("tcp://127.0.0.1:*");
        dealer.set(zmq::sockopt::linger, 0);
        dealer.set(zmq::sockopt::curve_serverkey, key(server.public_hex, keys[0]));
        dealer.set(zmq::sockopt::curve_publickey, key(client.public_hex, keys[1]));
        dealer.set(zmq::sockopt::curve_secretkey, key(client.secret_hex, keys[2]));
        protocol::limit_inbound_frames(dealer);
        dealer.connect(router.get(zmq::sockopt::last_endpoint));
    }

    // The payload of the next message the router receives within `timeout`, if any.
    std::optional<std::string> receive(std::chrono::milliseconds timeout) {
        zmq::pollitem_t item{router.handle(), 0, ZMQ_POLLIN, 0};
        if (zmq::poll(&item, 1, timeout) == 0) return std::nullopt;
        zmq::message_t routing_id;
        zmq::message_t payload;
        REQUIRE(router.recv(routing_id));
        REQUIRE(routing_id.more());
        REQUIRE(router.recv(payload));
        return payload.to_string();
    }
};

}  // namespace

TEST_CASE("ZMQ_MAXMSGSIZE: a frame of kMaxFrameBytes arrives under CURVE, one byte more not") {
    CHECK(protocol::kMaxWireMessageBytes == static_cast<int64_t>(protocol::kMaxFrameBytes) + 33);
    CurvePair pair;
    CHECK(pair.router.get(zmq::sockopt::maxmsgsize) == protocol::kMaxWireMessageBytes);
    CHECK(pair.dealer.get(zmq::sockopt::maxmsgsize) == protocol::kMaxWireMessageBytes);

    const std::string largest(protocol::kMaxFrameBytes, 'a');
    pair.dealer.send(zmq::buffer(largest));
    auto received = pair.receive(std::chrono::seconds(30));
    REQUIRE(received);
    CHECK(received->size() == protocol::kMaxFrameBytes);

    // One byte more: ZeroMQ reads the size from the header and drops the connection.
    pair.dealer.send(zmq::buffer(std::string(protocol::kMaxFrameBytes + 1, 'b')));
    // The dealer reconnects on its own; what it sends afterwards arrives, the big frame never
    // (a frame sent right behind it may go down with the dropped connection, so it repeats).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    std::optional<std::string> after;
    while (!after && std::chrono::steady_clock::now() < deadline) {
        pair.dealer.send(zmq::buffer(std::string("after")));
        after = pair.receive(std::chrono::milliseconds(500));
    }
    REQUIRE(after);
    CHECK(*after == "after");
}
