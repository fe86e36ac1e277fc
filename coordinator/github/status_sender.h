#pragma once
// Posts queued GitHub commit statuses from the outbox, oldest first, retrying failures with
// exponential backoff. Rows stay in SQLite until GitHub accepted them, so a restart loses
// nothing (SPEC "GitHub commit statuses").

#include <condition_variable>
#include <filesystem>
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
    /// Posts one status; an Error carries what GitHub (or the network) said.
    Status post(const OutboxRow& row) const;

    std::filesystem::path database_file_;
    std::string api_url_;
    std::optional<std::string> token_;
    const Clock& clock_;

    std::mutex mutex_;
    std::condition_variable wake_;
    bool woken_ = false;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace fmg::coordinator
