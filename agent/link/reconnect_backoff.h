#pragma once
// When the agent gives its session up and how long it waits before the next one (PROTOCOL.md
// "heartbeats", the ZeroMQ guide's Paranoid Pirate): a coordinator silent for longer than
// the agent timeout is given up, and reconnects back off from 250 ms, doubling to 5 s, until
// a `welcome` resets them. Pure: time comes in as arguments, so unit tests drive them with a
// ManualClock (principles: injectable clock).

#include <functional>

#include "shared/clock.h"

namespace fmg::agent {

/// The first wait before a reconnect, and the longest.
constexpr Millis kReconnectBackoffInitial{250};
constexpr Millis kReconnectBackoffMax{5000};

/// Each wait is shortened by up to this fraction at random, so agents cut off together (a
/// coordinator restart, a switch reboot) do not all return in the same millisecond, and none
/// waits longer than the maximum, which the coordinator's restart grace relies on.
constexpr double kReconnectJitter = 0.2;

/// A random number in [0, 1).
double uniform_unit();

/// The waits between reconnect attempts.
class ReconnectBackoff {
  public:
    /// `draw` gives the random numbers in [0, 1] that shorten each wait (tests pass fixed ones).
    explicit ReconnectBackoff(Millis initial = kReconnectBackoffInitial,
                              Millis max = kReconnectBackoffMax,
                              std::function<double()> draw = uniform_unit)
        : initial_(initial), max_(max), next_(initial), draw_(std::move(draw)) {}

    /// The wait before this reconnect: the current step shortened by up to kReconnectJitter.
    /// The next step is twice as long, up to the maximum.
    Millis next();
    /// The step the next call to next() shortens.
    Millis peek() const { return next_; }
    /// The coordinator welcomed us: the next reconnect waits the initial time again.
    void reset() { next_ = initial_; }

  private:
    Millis initial_;
    Millis max_;
    Millis next_;
    std::function<double()> draw_;
};

/// The agent's watch on the coordinator: when it last heard from it, and whether the silence
/// since is long enough to give the session up.
class CoordinatorWatch {
  public:
    /// `timeout` until the coordinator's `welcome` says otherwise.
    explicit CoordinatorWatch(Millis timeout) : timeout_(timeout) {}

    /// A frame (any frame) arrived at `now`, or a new connection began at `now`.
    void heard(SteadyTime now) { last_heard_ = now; }
    /// The agent timeout the coordinator announced in its `welcome`.
    void set_timeout(Millis timeout) { timeout_ = timeout; }
    Millis timeout() const { return timeout_; }

    /// Whether the coordinator has been silent for longer than the timeout at `now`.
    bool silent(SteadyTime now) const { return now - last_heard_ > timeout_; }
    /// How long the coordinator has been silent at `now`.
    Millis silence(SteadyTime now) const;
    /// The first moment at which the coordinator counts as silent, unless it is heard from.
    SteadyTime deadline() const { return last_heard_ + timeout_ + Millis(1); }

  private:
    Millis timeout_;
    SteadyTime last_heard_{};
};

}  // namespace fmg::agent
