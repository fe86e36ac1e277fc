#include "agent/link/output_gate.h"

namespace fmg::agent {

void OutputGate::pass(size_t bytes) {
    std::unique_lock lock(mutex_);
    ++waiting_;
    changed_.wait(lock, [&] { return !closed(); });
    --waiting_;
    posted_ += bytes;
}

bool OutputGate::closed() const {
    return !open_ && metered_ && posted_ - released_ >= window_;
}

void OutputGate::release_through(uint64_t released) {
    {
        std::lock_guard lock(mutex_);
        if (released <= released_) return;
        released_ = released;
    }
    changed_.notify_all();
}

void OutputGate::set_metered(bool metered) {
    {
        std::lock_guard lock(mutex_);
        if (metered_ == metered) return;
        metered_ = metered;
    }
    changed_.notify_all();
}

void OutputGate::open_for_good() {
    {
        std::lock_guard lock(mutex_);
        open_ = true;
    }
    changed_.notify_all();
}

bool OutputGate::would_wait() const {
    std::lock_guard lock(mutex_);
    return closed();
}

size_t OutputGate::waiting() const {
    std::lock_guard lock(mutex_);
    return waiting_;
}

uint64_t OutputGate::held() const {
    std::lock_guard lock(mutex_);
    return posted_ - released_;
}

}  // namespace fmg::agent
