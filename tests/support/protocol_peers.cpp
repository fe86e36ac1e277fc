#include "tests/support/protocol_peers.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <zmq.hpp>

#include "protocol/codec.h"
#include "shared/curve.h"
#include "tests/support/credentials.h"

namespace fmg::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kPollInterval{20};
// The fake coordinator's welcome: a short agent timeout, so an agent gives a dead connection
// up quickly.
constexpr std::chrono::milliseconds kFakeHeartbeat{500};
constexpr std::chrono::milliseconds kFakeAgentTimeout{1500};

std::string binary_key(const std::string& hex) {
    auto key = curve::to_binary(hex);
    if (!key) throw std::runtime_error("not a CURVE key: " + hex);
    return *key;
}

}  // namespace

int64_t peak_rss_bytes(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("VmHWM:", 0) != 0) continue;
        std::istringstream fields(line.substr(6));
        int64_t kib = 0;
        fields >> kib;
        return kib * 1024;
    }
    FAIL("no VmHWM in /proc/" << pid << "/status");
    return 0;
}

// ---- SilentAgent ----

struct SilentAgent::State {
    zmq::context_t context;
    zmq::socket_t socket{context, zmq::socket_type::dealer};
    std::string name;
    uint32_t capacity = 1;
    mutable std::mutex mutex;
    bool welcomed = false;
    std::chrono::milliseconds heartbeat_interval{1000};
    std::vector<protocol::Assign> assigns;
    std::vector<protocol::Cancel> cancels;
    std::vector<std::string> outgoing;
};

SilentAgent::SilentAgent(const std::filesystem::path& credentials, std::string name,
                         uint32_t capacity)
    : state_(std::make_unique<State>()) {
    const auto entries = read_credentials(credentials);
    state_->name = std::move(name);
    state_->capacity = capacity;
    zmq::socket_t& socket = state_->socket;
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::curve_serverkey,
               zmq::buffer(binary_key(entries.at("server_public_key"))));
    socket.set(zmq::sockopt::curve_publickey, zmq::buffer(binary_key(entries.at("public_key"))));
    socket.set(zmq::sockopt::curve_secretkey, zmq::buffer(binary_key(entries.at("secret_key"))));
    socket.connect(entries.at("coordinator"));
    thread_ = std::thread([this] { run(); });
}

SilentAgent::~SilentAgent() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
}

bool SilentAgent::welcomed() const {
    std::lock_guard lock(state_->mutex);
    return state_->welcomed;
}

std::vector<protocol::Assign> SilentAgent::assigns() const {
    std::lock_guard lock(state_->mutex);
    return state_->assigns;
}

std::vector<protocol::Cancel> SilentAgent::cancels() const {
    std::lock_guard lock(state_->mutex);
    return state_->cancels;
}

void SilentAgent::send_raw(std::string frame) {
    std::lock_guard lock(state_->mutex);
    state_->outgoing.push_back(std::move(frame));
}

void SilentAgent::run() {
    State& s = *state_;
    protocol::Hello hello;
    hello.name = s.name;
    hello.version = "silent-agent";
    hello.capacity = s.capacity;
    s.socket.send(zmq::buffer(protocol::encode(hello)), zmq::send_flags::dontwait);
    Clock::time_point next_heartbeat = Clock::now();
    while (!stopping_) {
        zmq::pollitem_t item{s.socket.handle(), 0, ZMQ_POLLIN, 0};
        zmq::poll(&item, 1, kPollInterval);
        zmq::message_t frame;
        while (s.socket.recv(frame, zmq::recv_flags::dontwait)) {
            auto decoded = protocol::decode_coordinator_message(frame.to_string_view());
            if (!decoded) continue;
            std::lock_guard lock(s.mutex);
            if (auto* welcome = std::get_if<protocol::Welcome>(&*decoded)) {
                s.welcomed = true;
                s.heartbeat_interval = std::chrono::milliseconds(welcome->heartbeat_interval_ms);
            } else if (auto* assign = std::get_if<protocol::Assign>(&*decoded)) {
                s.assigns.push_back(*assign);
            } else if (auto* cancel = std::get_if<protocol::Cancel>(&*decoded)) {
                s.cancels.push_back(*cancel);
            }
        }
        std::vector<std::string> outgoing;
        bool heartbeat = false;
        {
            std::lock_guard lock(s.mutex);
            outgoing.swap(s.outgoing);
            if (s.welcomed && Clock::now() >= next_heartbeat) {
                heartbeat = true;
                next_heartbeat = Clock::now() + s.heartbeat_interval;
            }
        }
        if (heartbeat) {
            outgoing.push_back(protocol::encode(protocol::AgentHeartbeat{{}, s.capacity, false}));
        }
        for (const std::string& bytes : outgoing) {
            s.socket.send(zmq::buffer(bytes), zmq::send_flags::dontwait);
        }
    }
}

// ---- FakeCoordinator ----

struct FakeCoordinator::State {
    zmq::context_t context;
    zmq::socket_t router{context, zmq::socket_type::router};
    curve::KeyPair keys;
    std::string endpoint;
    mutable std::mutex mutex;
    int hellos = 0;
    std::string last_routing_id;
    std::vector<std::string> outgoing;
};

FakeCoordinator::FakeCoordinator() : state_(std::make_unique<State>()) {
    State& s = *state_;
    s.keys = curve::generate();
    s.router.set(zmq::sockopt::linger, 0);
    s.router.set(zmq::sockopt::curve_server, 1);
    s.router.set(zmq::sockopt::curve_secretkey, zmq::buffer(binary_key(s.keys.secret_hex)));
    s.router.bind("tcp://127.0.0.1:*");
    s.endpoint = s.router.get(zmq::sockopt::last_endpoint);
    thread_ = std::thread([this] { run(); });
}

FakeCoordinator::~FakeCoordinator() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
}

std::string FakeCoordinator::endpoint() const {
    return state_->endpoint;
}

const std::string& FakeCoordinator::public_key_hex() const {
    return state_->keys.public_hex;
}

int FakeCoordinator::hellos() const {
    std::lock_guard lock(state_->mutex);
    return state_->hellos;
}

void FakeCoordinator::send_raw(std::string frame) {
    std::lock_guard lock(state_->mutex);
    state_->outgoing.push_back(std::move(frame));
}

void FakeCoordinator::write_credentials(const std::filesystem::path& file,
                                        const std::string& host) const {
    const curve::KeyPair agent = curve::generate();
    std::ofstream out(file);
    out << "runner_id: 1\nhost: " << host << "\ncoordinator: " << state_->endpoint
        << "\nserver_public_key: " << state_->keys.public_hex
        << "\npublic_key: " << agent.public_hex << "\nsecret_key: " << agent.secret_hex << "\n";
    REQUIRE(out.good());
    // The agent refuses a credentials file others can read (agent/setup/credentials.h).
    std::filesystem::permissions(
        file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

void FakeCoordinator::run() {
    State& s = *state_;
    Clock::time_point next_heartbeat = Clock::now();
    while (!stopping_) {
        zmq::pollitem_t item{s.router.handle(), 0, ZMQ_POLLIN, 0};
        zmq::poll(&item, 1, kPollInterval);
        zmq::message_t routing_id;
        while (s.router.recv(routing_id, zmq::recv_flags::dontwait)) {
            zmq::message_t frame;
            if (!routing_id.more() || !s.router.recv(frame)) continue;
            auto decoded = protocol::decode_agent_message(frame.to_string_view());
            if (!decoded || !std::holds_alternative<protocol::Hello>(*decoded)) continue;
            {
                std::lock_guard lock(s.mutex);
                ++s.hellos;
                s.last_routing_id = routing_id.to_string();
            }
            s.router.send(routing_id, zmq::send_flags::sndmore);
            s.router.send(zmq::buffer(protocol::encode(
                              protocol::Welcome{1, static_cast<uint32_t>(kFakeHeartbeat.count()),
                                                static_cast<uint32_t>(kFakeAgentTimeout.count())})),
                          zmq::send_flags::dontwait);
        }
        std::vector<std::string> outgoing;
        std::string to;
        {
            std::lock_guard lock(s.mutex);
            outgoing.swap(s.outgoing);
            to = s.last_routing_id;
        }
        if (!to.empty() && Clock::now() >= next_heartbeat) {
            // Keeps the latest session alive: only a lost connection makes the agent leave it.
            next_heartbeat = Clock::now() + kFakeHeartbeat;
            outgoing.push_back(protocol::encode(protocol::CoordinatorHeartbeat{}));
        }
        for (const std::string& bytes : outgoing) {
            try {
                s.router.send(zmq::buffer(to), zmq::send_flags::sndmore);
                s.router.send(zmq::buffer(bytes), zmq::send_flags::dontwait);
            } catch (const zmq::error_t&) {
                // The connection is gone: nothing to send to.
            }
        }
    }
}

}  // namespace fmg::testing
