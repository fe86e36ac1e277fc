#include "agent/link/cache_requests.h"

namespace fmg::agent {

CacheRequests::~CacheRequests() {
    for (auto& [key, pending] : pending_) {
        pending.request.done->set_value(Error{"the agent is stopping"});
    }
}

uint64_t CacheRequests::request_id(const CacheRequest& request) {
    return std::visit([](const auto& m) { return m.request_id; }, request.message);
}

void CacheRequests::send_one(Pending& pending, const Send& send, SteadyTime now) {
    std::visit([&](const auto& m) { send(m); }, pending.request.message);
    pending.sent_at = now;
}

void CacheRequests::start(CacheRequest request, bool connected, const Send& send, SteadyTime now) {
    const Key key{request.attempt_id, request_id(request)};
    Pending& pending = pending_[key];
    pending.request = std::move(request);
    pending.sent_at = now;
    if (connected) send_one(pending, send, now);
}

void CacheRequests::on_answer(const protocol::CacheAnswer& answer) {
    auto it = pending_.find({answer.attempt_id, answer.request_id});
    if (it == pending_.end()) return;  // a repeated answer
    it->second.request.done->set_value(answer);
    pending_.erase(it);
}

void CacheRequests::resend_all(const Send& send, SteadyTime now) {
    for (auto& [key, pending] : pending_) send_one(pending, send, now);
}

void CacheRequests::resend_stalled(const Send& send, SteadyTime now, Millis timeout) {
    for (auto& [key, pending] : pending_) {
        if (now - pending.sent_at >= timeout) send_one(pending, send, now);
    }
}

void CacheRequests::abandon_attempt(protocol::AttemptId attempt, const std::string& why) {
    for (auto it = pending_.lower_bound({attempt, 0});
         it != pending_.end() && it->first.first == attempt;) {
        it->second.request.done->set_value(Error{why});
        it = pending_.erase(it);
    }
}

}  // namespace fmg::agent
