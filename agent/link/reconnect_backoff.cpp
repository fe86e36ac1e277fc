#include "agent/link/reconnect_backoff.h"

#include <algorithm>
#include <random>

namespace fmg::agent {

double uniform_unit() {
    thread_local std::mt19937 generator{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
}

Millis ReconnectBackoff::next() {
    const double fraction = std::clamp(draw_(), 0.0, 1.0);
    const auto shortened =
        static_cast<Millis::rep>(static_cast<double>(next_.count()) * kReconnectJitter * fraction);
    Millis wait = next_ - Millis(shortened);
    next_ = std::min(max_, next_ * 2);
    return wait;
}

Millis CoordinatorWatch::silence(SteadyTime now) const {
    return std::chrono::duration_cast<Millis>(now - last_heard_);
}

}  // namespace fmg::agent
