#include "agent/session/reconnect_backoff.h"

#include <algorithm>

namespace fmg::agent {

Millis ReconnectBackoff::next() {
    Millis wait = next_;
    next_ = std::min(max_, next_ * 2);
    return wait;
}

Millis CoordinatorWatch::silence(SteadyTime now) const {
    return std::chrono::duration_cast<Millis>(now - last_heard_);
}

}  // namespace fmg::agent
