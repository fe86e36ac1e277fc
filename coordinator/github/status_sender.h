#pragma once
// Posts queued GitHub commit statuses from the outbox, oldest first, one at a time (GitHub
// asks integrations not to send concurrent requests), retrying failures with exponential
// backoff. Rows stay in SQLite until GitHub accepted them, so a restart loses nothing (SPEC
// "GitHub commit statuses"). One kept-alive connection carries the posts: a new one per status
// would cost a TCP and TLS handshake with GitHub for each. When GitHub answers with a rate
// limit, every post waits until it says (rate_limit.h).

#include <Poco/Net/HTTPClientSession.h>

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "coordinator/store/rows.h"
#include "shared/clock.h"
#include "shared/result.h"

namespace fmg::coordinator {

class StatusSender {
  public:
    /// Without a token, statuses are dropped after one warning (SPEC).
    StatusSender(std::filesystem::path database_file, std::string api_url,
                 std::optional<std::string> token, const Clock& clock);
    ~StatusSender();

    void start();
    /// Wakes the sender: new rows were queued. Thread-safe.
    void wake();
    void stop();

  private:
    void run();
    /// How one post went.
    struct PostOutcome {
        Status result;                         // an Error carries what GitHub or the network said
        bool answered = false;                 // GitHub's answer was read
        std::optional<int64_t> limited_until;  // a rate limit: no post before this (wall ms)
    };
    /// Posts one status. When a connection kept from an earlier post fails before GitHub
    /// answers (the server closed it while idle), the post is tried once more at once on a
    /// new one.
    PostOutcome post(const OutboxRow& row);
    /// One POST on `session`.
    PostOutcome post_on(Poco::Net::HTTPClientSession& session, const OutboxRow& row) const;

    std::filesystem::path database_file_;
    std::string api_url_;
    std::optional<std::string> token_;
    const Clock& clock_;
    std::unique_ptr<Poco::Net::HTTPClientSession> session_;  // the sender thread's only
    int64_t paused_until_ = 0;  // wall ms; the sender thread's only: set by a rate limit

    std::mutex mutex_;
    std::condition_variable wake_;
    bool woken_ = false;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace fmg::coordinator
