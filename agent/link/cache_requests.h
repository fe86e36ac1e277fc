#pragma once
// The cache look-ups and saves the agent's jobs are waiting on (PROTOCOL.md 11.1:
// cache_find, cache_save and cache_answer), owned by the link's event loop: each request is
// sent, sent again after a reconnect or when no answer came in time (both are safe to
// repeat), and its answer handed to the runner that waits on the promise.

#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>

#include "protocol/messages.h"
#include "shared/clock.h"
#include "shared/result.h"

namespace fmg::agent {

/// What a job runner asks the link to send; `done` gets the coordinator's answer, or why
/// there is none.
struct CacheRequest {
    protocol::AttemptId attempt_id = 0;
    std::variant<protocol::CacheFind, protocol::CacheSave> message;
    std::shared_ptr<std::promise<Result<protocol::CacheAnswer>>> done;
};

class CacheRequests {
  public:
    using Send = std::function<void(const protocol::AgentMessage&)>;

    ~CacheRequests();

    /// Takes a request and, when `connected`, sends it.
    void start(CacheRequest request, bool connected, const Send& send, SteadyTime now);
    void on_answer(const protocol::CacheAnswer& answer);
    /// After a welcome: every request without an answer is sent again.
    void resend_all(const Send& send, SteadyTime now);
    /// Requests without an answer for `timeout` are sent again.
    void resend_stalled(const Send& send, SteadyTime now, Millis timeout);
    /// Ends the attempt's requests with `why`.
    void abandon_attempt(protocol::AttemptId attempt, const std::string& why);

  private:
    struct Pending {
        CacheRequest request;
        SteadyTime sent_at{};
    };
    using Key = std::pair<protocol::AttemptId, uint64_t>;

    static uint64_t request_id(const CacheRequest& request);
    void send_one(Pending& pending, const Send& send, SteadyTime now);

    std::map<Key, Pending> pending_;
};

}  // namespace fmg::agent
