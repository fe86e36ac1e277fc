#pragma once
// What every HTTP handler may use. Handlers run on Poco's worker threads: they read SQLite
// through their own connection and reach the event loop only through its mailbox.

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "coordinator/agent_loop/commands.h"
#include "coordinator/http/body_budget.h"
#include "coordinator/http/socket_deadlines.h"
#include "coordinator/logs/log_notifier.h"
#include "coordinator/secrets/keyring.h"
#include "coordinator/setup/identity.h"
#include "coordinator/setup/settings.h"
#include "shared/clock.h"
#include "shared/mailbox.h"

namespace fmg::coordinator {

/// Webhook outcomes, counted for /metrics.
class WebhookCounters {
  public:
    void count(const std::string& result) {
        std::lock_guard lock(mutex_);
        ++counts_[result];
    }
    std::map<std::string, uint64_t> snapshot() const {
        std::lock_guard lock(mutex_);
        return counts_;
    }

  private:
    mutable std::mutex mutex_;
    std::map<std::string, uint64_t> counts_;
};

struct HttpContext {
    const Settings& settings;
    const Identity& identity;
    Keyring& keyring;  // seals and opens secrets (http/secrets_api.cpp)
    std::filesystem::path database_file;
    std::filesystem::path logs_dir;
    Mailbox<LoopCommand>& core_mailbox;
    std::function<void(PipelineId)> prepare;  // queues a pipeline for the preparer
    LogNotifier& log_notifier;
    const Clock& clock;
    WebhookCounters webhook_counters;
    /// Every webhook body not yet authenticated draws on this one budget (constants.h).
    http::BodyBudget unauthenticated_bodies;  // kUnauthenticatedBodyBudget
    /// Ends request-body reads at their deadline (body_reader.h).
    http::SocketDeadlines body_deadlines;
};

}  // namespace fmg::coordinator
