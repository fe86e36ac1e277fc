#pragma once
// The coordinator's end of one protocol session with an agent (PROTOCOL.md 7): what the agent
// loop knows of a connected agent. "Session" on the coordinator's side means only this.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "coordinator/store/rows.h"
#include "shared/clock.h"

namespace fmg::coordinator {

struct AgentSession {
    std::string routing_id;  // ZeroMQ ROUTER identity of the connection
    int connection_fd = -1;  // its TCP socket, to match the monitor's "disconnected" events
    RunnerId runner_id = 0;
    std::string host;
    uint32_t capacity = 1;
    std::vector<std::string> labels;
    std::set<AttemptId> attempts;  // assigned to or running on this agent
    SteadyTime next_heartbeat{};
    bool draining = false;
    // Assigns it answered neither with accepted nor refused in time, since it last accepted
    // one: among sessions as free, the scheduler prefers one with fewer.
    uint32_t unanswered_assigns = 0;

    uint32_t free_slots() const {
        return attempts.size() >= capacity ? 0 : capacity - static_cast<uint32_t>(attempts.size());
    }
};

}  // namespace fmg::coordinator
