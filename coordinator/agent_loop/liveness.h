#pragma once
// The coordinator's liveness decisions, apart from the event loop that acts on them
// (principles: liveness both ways; injectable clock): which agent sessions have been silent too
// long, and how long attempts left over from before a restart wait for their agent. Pure: time
// comes in as arguments, so unit tests drive them with a ManualClock.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "shared/clock.h"

namespace fmg::coordinator {

/// When each agent session was last heard from; a session silent for longer than the agent
/// timeout is lost (PROTOCOL.md, "heartbeats": any frame counts as one).
class AgentLiveness {
  public:
    explicit AgentLiveness(Millis timeout) : timeout_(timeout) {}

    /// A frame (any frame) arrived from the session at `now`; starts tracking it if new.
    void heard(const std::string& routing_id, SteadyTime now);
    /// Stops tracking the session (it ended or was replaced).
    void forget(const std::string& routing_id);

    /// The sessions silent for longer than the timeout at `now`, in routing-id order. A
    /// session silent for exactly the timeout is not (yet) silent.
    std::vector<std::string> silent(SteadyTime now) const;
    /// How long the session has been silent at `now`; zero for one not tracked.
    Millis silence(const std::string& routing_id, SteadyTime now) const;
    /// The first moment at which a tracked session becomes silent (its last frame plus the
    /// timeout plus a millisecond); nullopt when nothing is tracked.
    std::optional<SteadyTime> next_deadline() const;

  private:
    Millis timeout_;
    std::map<std::string, SteadyTime> last_heard_;  // by routing id
};

/// After a coordinator restart, attempts that were running wait for their agent to reconnect
/// and report them until the window closes; then those still unclaimed are lost.
class RestartGrace {
  public:
    /// A window from `start` (the coordinator's start) lasting `length`.
    RestartGrace(SteadyTime start, Millis length) : until_(start + length) {}

    /// Whether attempts from before the restart still wait at `now`.
    bool open(SteadyTime now) const { return !expired_ && now < until_; }
    /// True exactly once: on the first call at or after the window's end. The caller then
    /// loses the attempts nobody claimed.
    bool expire(SteadyTime now);
    /// When the window closes; nullopt once it has expired.
    std::optional<SteadyTime> deadline() const;

  private:
    SteadyTime until_;
    bool expired_ = false;
};

}  // namespace fmg::coordinator
