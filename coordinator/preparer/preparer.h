#pragma once
// Turns accepted pipelines into jobs: fetches the repository into its bare mirror, reads
// `.circleci/config.yml` at the commit, parses it, and writes the jobs (or the config error)
// in one transaction. Runs on its own thread so slow fetches never hold up webhooks or the
// event loop; a pipeline left unprepared by a crash is prepared again at start.

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

#include "coordinator/lifecycle/operations.h"
#include "coordinator/store/rows.h"
#include "shared/clock.h"

namespace fmg::coordinator {

class Preparer {
  public:
    /// `on_prepared` is called (from the preparer thread) after each pipeline is written.
    Preparer(std::filesystem::path database_file, std::filesystem::path mirrors_dir,
             lifecycle::StatusContext statuses, const Clock& clock,
             std::function<void(PipelineId)> on_prepared);
    ~Preparer();

    /// Starts the thread; it first picks up every pipeline still unprepared in the store.
    void start();
    /// Queues a pipeline. Thread-safe.
    void enqueue(PipelineId id);
    /// Stops after the pipeline in progress.
    void stop();

  private:
    void run();

    std::filesystem::path database_file_;
    std::filesystem::path mirrors_dir_;
    lifecycle::StatusContext statuses_;
    const Clock& clock_;
    std::function<void(PipelineId)> on_prepared_;

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<PipelineId> queue_;
    bool stopping_ = false;
    std::thread thread_;
};

/// Prepares one pipeline (the preparer's work, callable directly from tests).
void prepare_pipeline(Database& db, const std::filesystem::path& mirrors_dir,
                      const lifecycle::StatusContext& statuses, PipelineId id, int64_t now);

}  // namespace fmg::coordinator
