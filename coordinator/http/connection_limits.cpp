#include "coordinator/http/connection_limits.h"

#include <sstream>

namespace fmg::coordinator::http {

const char* label_of(GateRefusal refusal) {
    switch (refusal) {
        case GateRefusal::address_cap:
            return "address_cap";
        case GateRefusal::total_cap:
            return "total_cap";
        case GateRefusal::queue_full:
            return "queue_full";
        case GateRefusal::follower_cap:
            return "follower_cap";
        case GateRefusal::head_deadline:
            return "head_deadline";
        case GateRefusal::head_too_large:
            return "head_too_large";
        case GateRefusal::bad_request:
            return "bad_request";
    }
    return "unknown";
}

ConnectionLimits::ConnectionLimits(int max_total, int max_per_address, int max_followers)
    : max_total_(max_total), max_per_address_(max_per_address), max_followers_(max_followers) {}

Admission ConnectionLimits::admit(int fd, const std::string& address) {
    std::lock_guard lock(mutex_);
    if (static_cast<int>(entries_.size()) >= max_total_) return Admission::total_full;
    auto from_address = per_address_.find(address);
    if (from_address != per_address_.end() && from_address->second >= max_per_address_) {
        return Admission::address_full;
    }
    ++per_address_[address];
    uint64_t ticket = ++last_ticket_;
    entries_[ticket] = Entry{address, false};
    ticket_of_fd_[fd] = ticket;
    return Admission::admitted;
}

bool ConnectionLimits::start_following(int fd) {
    std::lock_guard lock(mutex_);
    auto ticket = ticket_of_fd_.find(fd);
    if (ticket == ticket_of_fd_.end()) return false;
    Entry& entry = entries_[ticket->second];
    if (entry.follower) return true;
    if (followers_ >= max_followers_) return false;
    entry.follower = true;
    ++followers_;
    return true;
}

void ConnectionLimits::release_fd(int fd) {
    std::lock_guard lock(mutex_);
    auto ticket = ticket_of_fd_.find(fd);
    if (ticket == ticket_of_fd_.end()) return;
    uint64_t id = ticket->second;
    ticket_of_fd_.erase(ticket);
    release_locked(id);
}

uint64_t ConnectionLimits::claim(int fd) {
    std::lock_guard lock(mutex_);
    auto ticket = ticket_of_fd_.find(fd);
    if (ticket == ticket_of_fd_.end()) return 0;
    uint64_t id = ticket->second;
    ticket_of_fd_.erase(ticket);
    return id;
}

void ConnectionLimits::release_ticket(uint64_t ticket) {
    std::lock_guard lock(mutex_);
    release_locked(ticket);
}

void ConnectionLimits::release_locked(uint64_t ticket) {
    auto found = entries_.find(ticket);
    if (found == entries_.end()) return;
    if (found->second.follower) --followers_;
    auto address = per_address_.find(found->second.address);
    if (address != per_address_.end() && --address->second <= 0) per_address_.erase(address);
    entries_.erase(found);
}

int ConnectionLimits::open_connections() const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(entries_.size());
}

int ConnectionLimits::followers() const {
    std::lock_guard lock(mutex_);
    return followers_;
}

std::string ConnectionLimits::render_metrics() const {
    std::ostringstream out;
    out << "# HELP fmg_http_refused_total Connections the HTTP gate answered itself and closed, "
           "by cause.\n# TYPE fmg_http_refused_total counter\n";
    for (size_t kind = 0; kind < kGateRefusalKinds; ++kind) {
        auto refusal = static_cast<GateRefusal>(kind);
        out << "fmg_http_refused_total{cause=\"" << label_of(refusal) << "\"} " << refusals(refusal)
            << "\n";
    }
    out << "# HELP fmg_http_connections Open HTTP connections.\n"
           "# TYPE fmg_http_connections gauge\nfmg_http_connections "
        << open_connections() << "\n";
    out << "# HELP fmg_http_log_followers Requests following a live log.\n"
           "# TYPE fmg_http_log_followers gauge\nfmg_http_log_followers "
        << followers() << "\n";
    return out.str();
}

}  // namespace fmg::coordinator::http
