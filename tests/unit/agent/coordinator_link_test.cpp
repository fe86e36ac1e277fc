// The agent's link to the coordinator, in process: its loop runs on a thread of the test,
// connected over real ZeroMQ (loopback TCP) to a ROUTER socket the test speaks the protocol
// on, with a ManualClock, so the test decides when heartbeats are due and when the
// coordinator has been silent too long. Jobs run on an executor that echoes each step's
// command. The loop is stopped as the agent is: by signals (a pipe stands in for the
// signalfd).

#include "agent/link/coordinator_link.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

#include "agent/link/reconnect_backoff.h"
#include "executor_test_support.h"
#include "protocol/codec.h"
#include "shared/exit_codes.h"
#include "shared/zmq_monitor.h"

using namespace fmg;
using namespace fmg::agent;
using namespace fmg::agent::testing;
using namespace std::chrono_literals;

namespace {

constexpr auto kWait = 10s;  // how long a frame may take: only a hang comes near it

/// Runs every step by writing its command and a newline to the output; exit code 0.
class EchoExecution final : public JobExecution {
  public:
    StepExit run(const RunStep& step, const OutputSink& output) override {
        output(step.command + "\n");
        return {};
    }
    Result<bool> export_path(const std::string&, const std::filesystem::path&) override {
        return false;  // no files: the file steps are tested through the real executors
    }
    Status import_archive(const std::string&, const std::filesystem::path&) override {
        return Error{"no files here"};
    }
    void cancel() override {}
    void close() override {}
};

class EchoExecutor final : public Executor {
  public:
    std::string name() const override { return "echo"; }
    Result<std::unique_ptr<JobExecution>> start(const JobSetup&, const OutputSink&) override {
        return std::unique_ptr<JobExecution>(std::make_unique<EchoExecution>());
    }
    size_t remove_orphans(const std::vector<int64_t>&) override { return 0; }
};

/// The coordinator's side: a ROUTER on a loopback port, answering the connection that spoke
/// last, with a monitor that sees the agent's connections open and close.
class CoordinatorPeer {
  public:
    CoordinatorPeer() : router_(context_, zmq::socket_type::router) {
        router_.set(zmq::sockopt::linger, 0);
        monitor_ = open_monitor(context_, router_, "inproc://link-test-peer-monitor",
                                ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED);
        router_.bind("tcp://127.0.0.1:*");
        endpoint_ = router_.get(zmq::sockopt::last_endpoint);
    }

    const std::string& endpoint() const { return endpoint_; }
    /// The routing id of the connection the last frame came from.
    const std::string& connection() const { return connection_; }

    /// The next frame of type T from the agent; heartbeats before it are skipped (unless T is
    /// a heartbeat). Fails the test if another message comes first or none within kWait.
    template <typename T>
    T expect() {
        while (true) {
            std::optional<protocol::AgentMessage> message = receive(kWait);
            REQUIRE(message);
            if (!std::is_same_v<T, protocol::AgentHeartbeat> &&
                std::holds_alternative<protocol::AgentHeartbeat>(*message)) {
                continue;
            }
            INFO("received " << protocol::type_name(*message));
            REQUIRE(std::holds_alternative<T>(*message));
            return std::get<T>(*message);
        }
    }

    /// The next frame from the agent, if one arrives within `limit`.
    std::optional<protocol::AgentMessage> receive(Millis limit) {
        zmq::pollitem_t item{router_.handle(), 0, ZMQ_POLLIN, 0};
        if (zmq::poll(&item, 1, limit) == 0) return std::nullopt;
        zmq::message_t routing_id;
        zmq::message_t payload;
        REQUIRE(router_.recv(routing_id, zmq::recv_flags::none));
        REQUIRE(routing_id.more());
        REQUIRE(router_.recv(payload, zmq::recv_flags::none));
        connection_ = routing_id.to_string();
        auto decoded = protocol::decode_agent_message(payload.to_string_view());
        REQUIRE(decoded);
        return std::move(decoded).value();
    }

    /// Sends to the connection that spoke last.
    void send(const protocol::CoordinatorMessage& message) {
        const std::string frame = protocol::encode(message);
        router_.send(zmq::buffer(connection_), zmq::send_flags::sndmore);
        router_.send(zmq::buffer(frame), zmq::send_flags::none);
    }

    /// Whether an agent connection closed within kWait.
    bool disconnected() { return connection_event(ZMQ_EVENT_DISCONNECTED, kWait); }
    /// Whether an agent connection was accepted within `limit`.
    bool accepted(Millis limit) { return connection_event(ZMQ_EVENT_ACCEPTED, limit); }

  private:
    /// Whether a connection event of kind `wanted` arrives within `limit`; events of other
    /// kinds before it are dropped.
    bool connection_event(uint16_t wanted, Millis limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        do {
            zmq::pollitem_t item{monitor_.handle(), 0, ZMQ_POLLIN, 0};
            zmq::poll(&item, 1, std::min(limit, Millis(100)));
            while (auto event = receive_monitor_event(monitor_)) {
                if (event->event == wanted) return true;
            }
        } while (std::chrono::steady_clock::now() < deadline);
        return false;
    }

    zmq::context_t context_;
    zmq::socket_t router_;
    zmq::socket_t monitor_;
    std::string endpoint_;
    std::string connection_;
};

/// A CoordinatorLink running on its own thread against a CoordinatorPeer.
class RunningLink {
  public:
    RunningLink() {
        settings_.name = "link-test";
        settings_.work_dir = work_dir_.path();
        settings_.capacity = 2;
        settings_.labels = {"linux"};
        REQUIRE(::pipe(signals_) == 0);
        link_ = std::make_unique<CoordinatorLink>(settings_, nullptr, peer.endpoint(), executor_,
                                                  clock, signals_[0]);
        thread_ = std::thread([this] { exit_code_ = link_->run(); });
    }
    ~RunningLink() {
        // A second signal ends a drain at once, handing back what still runs.
        signal();
        signal();
        thread_.join();
        link_.reset();
        ::close(signals_[0]);
        ::close(signals_[1]);
    }
    RunningLink(const RunningLink&) = delete;
    RunningLink& operator=(const RunningLink&) = delete;

    /// What the signalfd gives the loop for SIGTERM.
    void signal() {
        signalfd_siginfo info{};
        info.ssi_signo = SIGTERM;
        REQUIRE(::write(signals_[1], &info, sizeof info) == static_cast<ssize_t>(sizeof info));
    }
    /// run()'s exit code once it returned within kWait; nullopt while it runs.
    std::optional<int> exit_code() const {
        eventually([&] { return exit_code_ >= 0; }, kWait);
        if (exit_code_ < 0) return std::nullopt;
        return exit_code_.load();
    }

    /// Answers the hello that opens a session with a welcome announcing `agent_timeout`.
    void welcome(Millis agent_timeout = kAgentTimeout) {
        protocol::Welcome welcome;
        welcome.runner_id = 7;
        welcome.heartbeat_interval_ms = kHeartbeat.count();
        welcome.agent_timeout_ms = agent_timeout.count();
        agent_timeout_ = agent_timeout;
        peer.send(welcome);
    }
    /// Lets the coordinator go silent past the agent timeout of the last welcome, and the agent's
    /// reconnect backoff pass: the link gives its session up and opens a new one, whose hello this
    /// returns. The link must have read every frame the peer sent (each counts as hearing from
    /// the coordinator) before the clock moves.
    protocol::Hello silence_until_reconnected() {
        const std::string old_connection = peer.connection();
        clock.advance(agent_timeout_ + 1ms);
        REQUIRE(peer.disconnected());
        auto hello = hello_after_backoff();
        CHECK(peer.connection() != old_connection);
        return hello;
    }
    /// Once the link has disconnected: advances the clock in steps of the first reconnect
    /// backoff until the link connects again, and returns its hello. Small steps, because the
    /// link may read the clock for its backoff after the peer saw the connection close, and
    /// the clock moves on until the peer sees the new connection: the new session must not be
    /// given up for silence before its hello arrives.
    protocol::Hello hello_after_backoff() {
        const auto deadline = std::chrono::steady_clock::now() + kWait;
        do {
            clock.advance(kReconnectBackoffInitial);
            if (peer.accepted(100ms)) return peer.expect<protocol::Hello>();
        } while (std::chrono::steady_clock::now() < deadline);
        FAIL("the link did not connect again within " << kWait.count() << " s");
        return {};
    }
    /// Advances the clock a heartbeat interval at a time until a heartbeat satisfies
    /// `condition`; false if none does within kWait. Other frames are dropped.
    bool heartbeat_until(const std::function<bool(const protocol::AgentHeartbeat&)>& condition) {
        const auto deadline = std::chrono::steady_clock::now() + kWait;
        while (std::chrono::steady_clock::now() < deadline) {
            clock.advance(kHeartbeat);
            auto message = peer.receive(100ms);
            if (!message) continue;
            auto* heartbeat = std::get_if<protocol::AgentHeartbeat>(&*message);
            if (heartbeat && condition(*heartbeat)) return true;
        }
        return false;
    }

    static constexpr Millis kHeartbeat{50};
    static constexpr Millis kAgentTimeout{3000};

    CoordinatorPeer peer;
    ManualClock clock;

  private:
    TempWorkspace work_dir_;
    AgentSettings settings_;
    EchoExecutor executor_;
    Millis agent_timeout_ = kAgentTimeout;  // as the last welcome announced
    int signals_[2] = {-1, -1};
    std::atomic<int> exit_code_{-1};
    std::unique_ptr<CoordinatorLink> link_;
    std::thread thread_;
};

protocol::Assign echo_job(protocol::AttemptId attempt, const std::string& command) {
    protocol::Assign assign;
    assign.attempt_id = attempt;
    assign.pipeline_id = 3;
    assign.job_name = "build";
    protocol::StepSpec step;
    step.kind = protocol::StepKind::run;
    step.name = "Echo";
    step.command = command;
    assign.steps = {step};
    return assign;
}

/// Expects what an echo_job reports from its accept to its result.
void expect_echo_job_reported(CoordinatorPeer& peer, protocol::AttemptId attempt,
                              const std::string& command) {
    CHECK(peer.expect<protocol::Accepted>().attempt_id == attempt);
    auto started = peer.expect<protocol::StepStarted>();
    CHECK(started.attempt_id == attempt);
    CHECK(started.step_index == 0);
    auto log = peer.expect<protocol::Log>();
    CHECK(log.attempt_id == attempt);
    CHECK(log.seq == 1);
    CHECK(log.data == command + "\n");
    auto step = peer.expect<protocol::StepFinished>();
    CHECK(step.attempt_id == attempt);
    CHECK(step.outcome == protocol::StepOutcome::success);
    auto result = peer.expect<protocol::JobFinished>();
    CHECK(result.attempt_id == attempt);
    CHECK(result.outcome == protocol::JobOutcome::success);
    CHECK(result.last_seq == 1);
}

}  // namespace

TEST_CASE("link: says hello, runs an assigned job, reports it step by step, holds it until acked") {
    RunningLink link;
    auto hello = link.peer.expect<protocol::Hello>();
    CHECK(hello.name == "link-test");
    CHECK(hello.capacity == 2);
    CHECK(hello.labels == std::vector<std::string>{"linux"});
    CHECK(hello.running.empty());

    link.welcome();
    link.peer.send(echo_job(41, "hello"));
    expect_echo_job_reported(link.peer, 41, "hello");

    // The clock has not moved since the welcome: the first heartbeat is due a heartbeat
    // interval later. The job has ended, its result is not acknowledged: still held.
    link.clock.advance(RunningLink::kHeartbeat);
    auto heartbeat = link.peer.expect<protocol::AgentHeartbeat>();
    CHECK(heartbeat.running == std::vector<int64_t>{41});
    CHECK(heartbeat.free_slots == 2);
    CHECK_FALSE(heartbeat.draining);

    link.peer.send(protocol::Ack{41, 2});  // last_seq + 1: the result is durable
    CHECK(link.heartbeat_until([](const auto& beat) { return beat.running.empty(); }));
}

TEST_CASE("link: unacknowledged log chunks and results are resent after each reconnect") {
    RunningLink link;
    link.peer.expect<protocol::Hello>();
    link.welcome();
    link.peer.send(echo_job(41, "hello"));
    expect_echo_job_reported(link.peer, 41, "hello");

    // Nothing acknowledged: the new session gets the chunk and the result again, because of
    // the welcome (the agent timeout it announces is long: the link's own resend of what
    // waits for an ack longer than that, PROTOCOL.md 9.5, is not due).
    CHECK(link.silence_until_reconnected().running == std::vector<int64_t>{41});
    link.welcome(60s);
    auto log = link.peer.expect<protocol::Log>();
    CHECK(log.attempt_id == 41);
    CHECK(log.seq == 1);
    CHECK(log.data == "hello\n");
    CHECK(link.peer.expect<protocol::JobFinished>().attempt_id == 41);

    // The chunk acknowledged, the result not. The next job's accept shows the ack was read.
    link.peer.send(protocol::Ack{41, 1});
    link.peer.send(echo_job(42, "again"));
    expect_echo_job_reported(link.peer, 42, "again");
    CHECK(link.silence_until_reconnected().running == std::vector<int64_t>{41, 42});
    link.welcome();
    // Only the result of the first (its chunk is acknowledged), then all of the second.
    auto result = link.peer.expect<protocol::JobFinished>();
    CHECK(result.attempt_id == 41);
    CHECK(result.outcome == protocol::JobOutcome::success);
    CHECK(result.last_seq == 1);
    log = link.peer.expect<protocol::Log>();
    CHECK(log.attempt_id == 42);
    CHECK(log.seq == 1);
    CHECK(link.peer.expect<protocol::JobFinished>().attempt_id == 42);

    link.peer.send(protocol::Ack{41, 2});
    link.peer.send(protocol::Ack{42, 2});
    CHECK(link.heartbeat_until([](const auto& beat) { return beat.running.empty(); }));
}

TEST_CASE("link: a reject that is final ends run() with exit code 3") {
    RunningLink link;
    link.peer.expect<protocol::Hello>();
    protocol::Reject reject;
    reject.reason = "runner link-test is revoked";
    link.peer.send(reject);
    CHECK(link.exit_code() == exit_code::kUnreachable);
}

TEST_CASE("link: a coordinator silent past the agent timeout is left for a new session") {
    RunningLink link;
    link.peer.expect<protocol::Hello>();
    const std::string first = link.peer.connection();
    link.welcome();
    // Its accept shows the link has read the welcome: the coordinator was last heard now.
    link.peer.send(echo_job(41, "hello"));
    expect_echo_job_reported(link.peer, 41, "hello");

    // Silent for exactly the agent timeout: still connected. The first heartbeat leaves then,
    // on the same connection, after the loop checked the silence at that time.
    link.clock.advance(RunningLink::kAgentTimeout);
    CHECK(link.peer.expect<protocol::AgentHeartbeat>().running == std::vector<int64_t>{41});
    CHECK(link.peer.connection() == first);

    // A millisecond more: the link disconnects, and after its backoff says hello anew,
    // holding the attempt whose result is not acknowledged.
    link.clock.advance(1ms);
    REQUIRE(link.peer.disconnected());
    auto hello = link.hello_after_backoff();
    CHECK(link.peer.connection() != first);
    CHECK(hello.name == "link-test");
    CHECK(hello.running == std::vector<int64_t>{41});
}

TEST_CASE("link: a signal drains: a draining heartbeat, goodbye and exit code 0") {
    RunningLink link;
    link.peer.expect<protocol::Hello>();
    link.signal();
    auto heartbeat = link.peer.expect<protocol::AgentHeartbeat>();
    CHECK(heartbeat.draining);
    CHECK(heartbeat.free_slots == 0);
    CHECK(link.peer.expect<protocol::Goodbye>().reason == "drained after a signal");
    CHECK(link.exit_code() == exit_code::kOk);
}
