#pragma once
// Turns accepted pipelines into jobs: fetches the repository into its bare mirror, reads
// `.circleci/config.yml` at the commit, parses it, and writes the jobs (or the config error)
// with one lifecycle operation (coordinator/lifecycle/preparation.h). Runs on a small pool of
// threads (kPreparerThreads) so slow fetches never hold up webhooks or the event loop, and a
// repository whose server hangs holds up only its own pipelines: one repository is prepared by one
// thread at a time (its pipelines in order), different repositories in parallel. Fetches run in the
// fmg-fetch helper, stopped at --fetch-timeout (fetch_helper.h). A pipeline left unprepared by a
// crash is prepared again at start.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "coordinator/lifecycle/statuses.h"
#include "coordinator/store/rows.h"
#include "shared/clock.h"
#include "shared/result.h"

namespace fmg::coordinator {

class Database;

/// Fetches the repository at a URL into its mirror (in the coordinator: the fmg-fetch helper,
/// with deadlines).
using FetchFunction = std::function<Status(const std::string& url)>;

class Preparer {
  public:
    /// `on_prepared` is called (from a preparer thread) after each pipeline is written.
    /// `orb_dir`: where registry orbs' sources are (--orb-dir); empty: none.
    Preparer(std::filesystem::path database_file, std::filesystem::path mirrors_dir,
             std::string orb_dir, lifecycle::StatusContext statuses, const Clock& clock,
             FetchFunction fetch, std::function<void(PipelineId)> on_prepared);
    ~Preparer();

    /// Starts the threads; every pipeline still unprepared in the store is queued first.
    void start();
    /// Queues a pipeline. Thread-safe.
    void enqueue(PipelineId id);
    /// Stops the threads after the pipelines in progress (a fetch in progress is stopped).
    void stop();
    /// Set by stop(); fetches watch it.
    const std::atomic<bool>& stopping() const { return stopping_flag_; }

  private:
    void run();
    /// The next pipeline to prepare, or 0 when stopping.
    PipelineId take();

    std::filesystem::path database_file_;
    std::filesystem::path mirrors_dir_;
    std::string orb_dir_;
    lifecycle::StatusContext statuses_;
    const Clock& clock_;
    FetchFunction fetch_;
    std::function<void(PipelineId)> on_prepared_;

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<PipelineId> queue_;
    std::set<std::string> busy_;                             // repositories being prepared
    std::map<std::string, std::deque<PipelineId>> waiting_;  // their next pipelines, in order
    bool stopping_ = false;
    std::atomic<bool> stopping_flag_{false};
    std::vector<std::thread> threads_;
};

/// Prepares one pipeline (the preparer's work, callable directly from tests). `fetch` is
/// called when the mirror lacks the commit (or has to resolve a ref).
void prepare_pipeline(Database& db, const std::filesystem::path& mirrors_dir,
                      const std::string& orb_dir, const lifecycle::StatusContext& statuses,
                      const FetchFunction& fetch, PipelineId id, int64_t now);

}  // namespace fmg::coordinator
