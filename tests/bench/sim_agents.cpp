#include "tests/bench/sim_agents.h"

#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <zmq.hpp>

#include "protocol/codec.h"
#include "shared/curve.h"
#include "shared/version.h"

namespace fmg::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;
using Millis = std::chrono::milliseconds;

/// How often the loop looks at its timers (heartbeats are this late at most).
constexpr Millis kTimerTick{10};
/// Most epoll events handled per wait.
constexpr int kEventsPerWait = 256;

enum class Phase {
    waiting,     // no socket; opens one at `due`
    hello_sent,  // socket open, hello sent; gives up at `due`
    online,      // welcomed; next heartbeat at `due`
    stopped,     // rejected: stays away, as a real agent exits
};

struct Agent {
    std::unique_ptr<zmq::socket_t> socket;
    Phase phase = Phase::waiting;
    TimePoint due{};
    TimePoint last_heard{};
    Millis heartbeat_interval{1000};
    Millis agent_timeout{3000};
    std::optional<protocol::AttemptId> held;  // the attempt it accepted and runs
    bool held_finished = false;               // cancelled: job_finished sent, its ack awaited
};

/// How many descriptors this process has open, and its limit: what a ZeroMQ "Too many open
/// files" is read against.
std::string describe_descriptors() {
    size_t open = 0;
    for ([[maybe_unused]] const auto& entry :
         std::filesystem::directory_iterator("/proc/self/fd")) {
        ++open;
    }
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    return std::to_string(open) + " descriptors open, limit " + std::to_string(limit.rlim_cur);
}

int64_t wall_ms() {
    return std::chrono::duration_cast<Millis>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

struct SimAgents::Loop {
    Loop(const std::vector<SimRunner>& all_runners, const SimAgentsOptions& chosen)
        : runners(all_runners),
          options(chosen),
          context(chosen.io_threads),
          agents(all_runners.size()) {
        // libzmq's default (1023) is below one socket per agent; a replaced socket keeps its
        // slot until libzmq's reaper thread has closed it, so there is room for each twice.
        context.set(zmq::ctxopt::max_sockets, 2 * static_cast<int>(all_runners.size()) + 64);
        // One epoll set over every socket's ZMQ_FD: zmq_poll over 2,000 items costs a
        // getsockopt per item per call, and libzmq's zmq_poller is a draft API here.
        epoll = epoll_create1(EPOLL_CLOEXEC);
        if (epoll < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
    }
    ~Loop() {
        for (size_t i = 0; i < agents.size(); ++i) close(i);
        ::close(epoll);
    }

    void set_phase(size_t index, Phase phase);
    void open(size_t index, TimePoint now);
    void close(size_t index);
    void give_up(size_t index, TimePoint now);
    void send(size_t index, const protocol::AgentMessage& message);
    void receive(size_t index, TimePoint now);
    void handle(size_t index, const protocol::CoordinatorMessage& message, TimePoint now);
    void on_assign(size_t index, const protocol::Assign& assign);
    void on_cancel(size_t index, const protocol::Cancel& cancel);
    void run_timers(TimePoint now);
    protocol::Hello hello_of(size_t index) const;
    protocol::AgentHeartbeat heartbeat_of(const Agent& agent) const;

    const std::vector<SimRunner>& runners;
    const SimAgentsOptions& options;
    zmq::context_t context;
    int epoll = -1;
    size_t watched = 0;  // sockets in the epoll set
    std::vector<Agent> agents;
    SimAgentsStats stats;
    TimePoint ramp_start{};
    uint64_t connects = 0;      // sessions opened, against the ramp's budget
    size_t pending_hellos = 0;  // agents in Phase::hello_sent
};

void SimAgents::Loop::set_phase(size_t index, Phase phase) {
    Agent& agent = agents[index];
    if (agent.phase == Phase::hello_sent) --pending_hellos;
    if (phase == Phase::hello_sent) ++pending_hellos;
    agent.phase = phase;
}

void SimAgents::Loop::open(size_t index, TimePoint now) {
    const SimRunner& runner = runners[index];
    Agent& agent = agents[index];
    try {
        agent.socket = std::make_unique<zmq::socket_t>(context, zmq::socket_type::dealer);
    } catch (const zmq::error_t& e) {
        throw std::runtime_error("zmq_socket for agent " + std::to_string(index) + " (" +
                                 std::to_string(watched) + " open): " + e.what());
    }
    zmq::socket_t& socket = *agent.socket;
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(protocol::kMaxFrameBytes));
    socket.set(zmq::sockopt::curve_serverkey,
               zmq::buffer(curve::to_binary(runner.server_public_key).value_or("")));
    socket.set(zmq::sockopt::curve_publickey,
               zmq::buffer(curve::to_binary(runner.public_key).value_or("")));
    socket.set(zmq::sockopt::curve_secretkey,
               zmq::buffer(curve::to_binary(runner.secret_key).value_or("")));
    socket.connect(runner.coordinator);
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = index;
    if (epoll_ctl(epoll, EPOLL_CTL_ADD, socket.get(zmq::sockopt::fd), &event) != 0) {
        throw std::system_error(errno, std::generic_category(), "epoll_ctl");
    }
    ++watched;
    set_phase(index, Phase::hello_sent);
    agent.due = now + options.hello_timeout;
    agent.last_heard = now;
    ++stats.hellos;
    ++connects;
    send(index, hello_of(index));
    receive(index, now);
}

void SimAgents::Loop::close(size_t index) {
    Agent& agent = agents[index];
    if (!agent.socket) return;
    epoll_ctl(epoll, EPOLL_CTL_DEL, agent.socket->get(zmq::sockopt::fd), nullptr);
    --watched;
    agent.socket.reset();
}

void SimAgents::Loop::give_up(size_t index, TimePoint now) {
    close(index);
    set_phase(index, Phase::waiting);
    agents[index].due = now + options.reconnect_delay;
}

void SimAgents::Loop::send(size_t index, const protocol::AgentMessage& message) {
    const std::string frame = protocol::encode(message);
    try {
        if (!agents[index].socket->send(zmq::buffer(frame), zmq::send_flags::dontwait)) {
            ++stats.send_failures;
        }
    } catch (const zmq::error_t&) {
        ++stats.send_failures;
    }
}

void SimAgents::Loop::receive(size_t index, TimePoint now) {
    // Drains the socket. Its ZMQ_FD only says "look at the socket": it stays readable until
    // libzmq has processed its commands, and a send may do that and swallow the signal of
    // frames that wait, so every send is followed by a receive too.
    while (agents[index].socket) {
        zmq::message_t frame;
        if (!agents[index].socket->recv(frame, zmq::recv_flags::dontwait)) return;
        ++stats.frames_received;
        agents[index].last_heard = now;
        if (frame.more()) {
            // One frame per message (PROTOCOL.md 2.2): drop the whole multi-part message.
            ++stats.bad_frames;
            zmq::message_t rest;
            while (frame.more() && agents[index].socket->recv(rest, zmq::recv_flags::none)) {
                if (!rest.more()) break;
            }
            continue;
        }
        auto decoded = protocol::decode_coordinator_message(frame.to_string_view());
        if (!decoded) {
            ++stats.bad_frames;
            continue;
        }
        handle(index, decoded.value(), now);
    }
}

void SimAgents::Loop::handle(size_t index, const protocol::CoordinatorMessage& message,
                             TimePoint now) {
    Agent& agent = agents[index];
    if (auto* welcome = std::get_if<protocol::Welcome>(&message)) {
        if (agent.phase != Phase::hello_sent) return;
        ++stats.welcomes;
        set_phase(index, Phase::online);
        agent.heartbeat_interval = Millis(welcome->heartbeat_interval_ms);
        agent.agent_timeout = Millis(welcome->agent_timeout_ms);
        agent.due = now + agent.heartbeat_interval;
    } else if (auto* reject = std::get_if<protocol::Reject>(&message)) {
        if (reject->code == protocol::RejectCode::no_session) {
            // The coordinator forgot the session (it declared the agent lost): like the real
            // agent (agent/link/coordinator_link.cpp), say hello again on the same socket, once.
            if (agent.phase != Phase::online) return;
            ++stats.forgotten;
            set_phase(index, Phase::hello_sent);
            agent.due = now + options.hello_timeout;
            ++stats.hellos;
            send(index, hello_of(index));
            return;
        }
        ++stats.rejects;
        stats.last_reject = reject->reason;
        close(index);
        set_phase(index, Phase::stopped);
    } else if (auto* assign = std::get_if<protocol::Assign>(&message)) {
        on_assign(index, *assign);
    } else if (auto* cancel = std::get_if<protocol::Cancel>(&message)) {
        on_cancel(index, *cancel);
    } else if (auto* ack = std::get_if<protocol::Ack>(&message)) {
        // The ack of a cancelled attempt's result (last_seq 0 + 1): the attempt is over.
        if (agent.held == ack->attempt_id && agent.held_finished && ack->seq >= 1) {
            agent.held.reset();
        }
    }
    // The coordinator's heartbeat only proves it alive (last_heard, above).
}

void SimAgents::Loop::on_assign(size_t index, const protocol::Assign& assign) {
    Agent& agent = agents[index];
    ++stats.assigns;
    if (!agent.held) {
        agent.held = assign.attempt_id;
        agent.held_finished = false;
    } else if (*agent.held != assign.attempt_id) {
        ++stats.refused;
        send(index, protocol::Refused{assign.attempt_id, "no free slot (capacity 1)"});
        return;
    }
    // A repeated assign of the attempt it holds is accepted again (PROTOCOL.md 10.1).
    send(index, protocol::Accepted{assign.attempt_id});
}

void SimAgents::Loop::on_cancel(size_t index, const protocol::Cancel& cancel) {
    Agent& agent = agents[index];
    ++stats.cancels;
    if (agent.held != cancel.attempt_id) return;  // not ours: ignored (PROTOCOL.md 10.4)
    if (agent.held_finished) {
        agent.held.reset();  // its result was already sent: forget it
        return;
    }
    agent.held_finished = true;
    send(index, protocol::JobFinished{cancel.attempt_id, protocol::JobOutcome::cancelled, "", 0,
                                      wall_ms()});
}

protocol::Hello SimAgents::Loop::hello_of(size_t index) const {
    protocol::Hello hello{runners[index].host, kVersion, 1, {}, {}};
    if (agents[index].held) hello.running.push_back(*agents[index].held);
    return hello;
}

protocol::AgentHeartbeat SimAgents::Loop::heartbeat_of(const Agent& agent) const {
    protocol::AgentHeartbeat heartbeat;
    if (agent.held) heartbeat.running.push_back(*agent.held);
    heartbeat.free_slots = agent.held ? 0 : 1;
    return heartbeat;
}

void SimAgents::Loop::run_timers(TimePoint now) {
    const auto ramp_elapsed = std::chrono::duration<double>(now - ramp_start).count();
    const auto connect_budget =
        static_cast<uint64_t>(ramp_elapsed * options.connects_per_second) + 1;
    size_t online = 0;
    size_t holding = 0;
    for (size_t i = 0; i < agents.size(); ++i) {
        Agent& agent = agents[i];
        switch (agent.phase) {
            case Phase::waiting:
                if (now >= agent.due && connects < connect_budget &&
                    pending_hellos < options.max_pending_hellos) {
                    open(i, now);
                }
                break;
            case Phase::hello_sent:
                if (now >= agent.due) {
                    ++stats.hello_timeouts;
                    give_up(i, now);
                }
                break;
            case Phase::online:
                if (now - agent.last_heard > agent.agent_timeout) {
                    ++stats.session_timeouts;
                    give_up(i, now);
                    break;
                }
                if (now >= agent.due) {
                    send(i, heartbeat_of(agent));
                    receive(i, now);
                    ++stats.heartbeats_sent;
                    // Keep the cadence; after a stall, start again from now.
                    agent.due += agent.heartbeat_interval;
                    if (agent.due <= now) agent.due = now + agent.heartbeat_interval;
                }
                break;
            case Phase::stopped:
                break;
        }
        if (agent.phase == Phase::online) ++online;
        if (agent.held && !agent.held_finished) ++holding;
    }
    stats.online = online;
    stats.holding = holding;
}

SimAgents::SimAgents(std::vector<SimRunner> runners, SimAgentsOptions options)
    : runners_(std::move(runners)),
      options_(options),
      loop_(std::make_unique<Loop>(runners_, options_)) {}

SimAgents::~SimAgents() {
    stop();
}

void SimAgents::start() {
    if (running_.exchange(true)) throw std::logic_error("SimAgents::start called twice");
    thread_ = std::thread([this] { run(); });
}

void SimAgents::stop() {
    running_ = false;
    if (thread_.joinable()) thread_.join();
    if (loop_) {
        loop_.reset();  // closes every socket (linger 0) and the context
    }
}

SimAgentsStats SimAgents::stats() const {
    std::lock_guard lock(stats_mutex_);
    return stats_;
}

void SimAgents::run() {
    try {
        run_loop();
    } catch (const std::exception& e) {
        std::lock_guard lock(stats_mutex_);
        stats_.failure = std::string(e.what()) + " (" + describe_descriptors() + ")";
    }
}

void SimAgents::run_loop() {
    Loop& loop = *loop_;
    loop.ramp_start = SteadyClock::now();
    std::vector<epoll_event> events(kEventsPerWait);
    TimePoint next_tick = loop.ramp_start;
    while (running_) {
        TimePoint now = SteadyClock::now();
        if (now >= next_tick) {
            loop.run_timers(now);
            next_tick = now + kTimerTick;
            std::lock_guard lock(stats_mutex_);
            stats_ = loop.stats;
        }
        const auto wait = std::chrono::duration_cast<Millis>(next_tick - now).count() + 1;
        if (loop.watched == 0) {
            std::this_thread::sleep_for(Millis(wait));
            continue;
        }
        const int ready =
            epoll_wait(loop.epoll, events.data(), static_cast<int>(events.size()), wait);
        if (ready < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(), "epoll_wait");
        }
        now = SteadyClock::now();
        for (int e = 0; e < ready; ++e) {
            loop.receive(static_cast<size_t>(events[e].data.u64), now);
        }
    }
    std::lock_guard lock(stats_mutex_);
    stats_ = loop.stats;
}

}  // namespace fmg::bench
