#pragma once
// Shared by the agent loop's in-process tests: the loop over a real SQLite file and a real
// ROUTER socket on a loopback port, stepped by the test on a ManualClock, and peers that
// speak the protocol over DEALER sockets as agents do.

#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <zmq.hpp>

#include "coordinator/agent_loop/agent_loop.h"
#include "coordinator/logs/log_cap.h"
#include "coordinator/logs/log_notifier.h"
#include "coordinator/logs/log_store.h"
#include "protocol/codec.h"
#include "shared/version.h"
#include "tests/unit/coordinator/store_fixture.h"

namespace fmg::coordinator::testing {

/// How long a test waits, in real time, for a frame to cross the loopback connection.
constexpr std::chrono::seconds kDeliveryDeadline{10};

/// An agent's end of the protocol: a DEALER socket with a routing id of the test's choice.
class Peer {
  public:
    Peer(zmq::context_t& context, const std::string& endpoint, const std::string& routing_id)
        : socket_(context, zmq::socket_type::dealer) {
        socket_.set(zmq::sockopt::routing_id, routing_id);
        socket_.set(zmq::sockopt::linger, 0);
        socket_.connect(endpoint);
    }

    void send(const protocol::AgentMessage& message) {
        socket_.send(zmq::buffer(protocol::encode(message)), zmq::send_flags::none);
    }

    /// The next frame already received, decoded; nullopt when none is waiting.
    std::optional<protocol::CoordinatorMessage> try_receive() {
        zmq::message_t frame;
        if (!socket_.recv(frame, zmq::recv_flags::dontwait)) return std::nullopt;
        auto decoded = protocol::decode_coordinator_message(frame.to_string_view());
        REQUIRE(decoded.ok());
        return decoded.value();
    }

  private:
    zmq::socket_t socket_;
};

/// The loop on a migrated database, insecure (agents named by their hello), on a ManualClock.
struct LoopFixture {
    Store store;
    LogNotifier notifier;
    LogStore logs{store.dir.path() / "logs", store.db, notifier, kDefaultLogCapBytes};
    ManualClock clock;
    zmq::context_t context;
    Identity identity;  // unused: no CURVE
    Keyring keyring{store.dir.path()};
    Settings settings = [] {
        Settings s;
        s.agent_listen = "tcp://127.0.0.1:*";
        s.insecure_agents = true;
        return s;
    }();
    std::optional<AgentLoop> loop;

    /// Starts the loop as the coordinator does (a restart, if the database holds work).
    /// Tests change `settings` and lay out the database before.
    void start() {
        loop.emplace(settings, identity, keyring, context, store.db, logs, notifier, clock,
                     nullptr);
        loop->start();
    }

    Peer connect(const std::string& routing_id) {
        return Peer(context, loop->endpoint(), routing_id);
    }

    /// Steps the loop until `peer` receives a frame other than a heartbeat; fails the test
    /// when none arrives by the delivery deadline.
    protocol::CoordinatorMessage next(Peer& peer) {
        const auto deadline = std::chrono::steady_clock::now() + kDeliveryDeadline;
        while (std::chrono::steady_clock::now() < deadline) {
            loop->step(Millis(5));
            while (auto message = peer.try_receive()) {
                if (!std::holds_alternative<protocol::CoordinatorHeartbeat>(*message)) {
                    return *message;
                }
            }
        }
        FAIL("no frame from the loop within the delivery deadline");
        return {};
    }

    /// next(), which must be a `T`.
    template <typename T>
    T next_of(Peer& peer) {
        protocol::CoordinatorMessage message = next(peer);
        INFO("received '" << protocol::type_name(message) << "'");
        REQUIRE(std::holds_alternative<T>(message));
        return std::get<T>(message);
    }

    /// Says hello as runner `name`, holding `running`; returns the welcome.
    protocol::Welcome hello(Peer& peer, const std::string& name,
                            std::vector<AttemptId> running = {}, uint32_t capacity = 1) {
        peer.send(protocol::Hello{name, kVersion, capacity, {}, std::move(running)});
        return next_of<protocol::Welcome>(peer);
    }

    /// Steps the loop until `condition` holds (the loop acts on what the peers sent);
    /// fails the test at the delivery deadline.
    template <typename Condition>
    void step_until(Condition condition) {
        const auto deadline = std::chrono::steady_clock::now() + kDeliveryDeadline;
        while (!condition()) {
            REQUIRE(std::chrono::steady_clock::now() < deadline);
            loop->step(Millis(5));
        }
    }

    /// With one queued job named "build" in the database before start(): says hello as
    /// runner `name`, takes the job's assign and accepts it; returns the assign once the
    /// attempt runs.
    protocol::Assign take_the_job(Peer& peer, const std::string& name) {
        hello(peer, name);
        auto assign = next_of<protocol::Assign>(peer);
        CHECK(assign.job_name == "build");
        peer.send(protocol::Accepted{assign.attempt_id});
        step_until([&] {
            return attempt_row(store.db, assign.attempt_id).status == AttemptState::running;
        });
        return assign;
    }

    /// A queued job "build" of a new pipeline, the loop started, and runner "build-01"
    /// connected as `routing_id` and running the job's attempt.
    struct RunningJob {
        PipelineId pipeline;
        Peer peer;
        protocol::Assign assign;
    };
    RunningJob start_running_one_job(const std::string& routing_id) {
        PipelineId pipeline = add_pipeline(store.db);
        add_job(store.db, pipeline, "build", 0);
        start();
        Peer peer = connect(routing_id);
        protocol::Assign assign = take_the_job(peer, "build-01");
        return {pipeline, std::move(peer), std::move(assign)};
    }

    RunnerRow runner_named(const std::string& host) {
        auto runner = runners::find_by_host(store.db, host);
        REQUIRE(runner.has_value());
        return *runner;
    }
};

}  // namespace fmg::coordinator::testing
