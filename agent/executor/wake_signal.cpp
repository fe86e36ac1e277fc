#include "agent/executor/wake_signal.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace fmg::agent {

WakeSignal::WakeSignal() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

WakeSignal::~WakeSignal() {
    ::close(fd_);
}

void WakeSignal::signal() {
    uint64_t one = 1;
    // Fails only when the counter would overflow, i.e. it is already readable.
    [[maybe_unused]] ssize_t written = ::write(fd_, &one, sizeof(one));
}

}  // namespace fmg::agent
