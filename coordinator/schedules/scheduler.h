#pragma once
// The scheduler thread: starts the pipelines of scheduled workflows at their fire times
// (lifecycle/schedules.h). It sleeps until the nearest fire time, or until woken because a
// branch's schedules may have changed, and reads the schedules from SQLite on every pass, so
// a restart loses nothing: a fire time missed while the coordinator was down fires once at
// start.

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "coordinator/store/database.h"
#include "coordinator/store/rows.h"
#include "shared/clock.h"

namespace fmg::coordinator {

/// What one pass did: the pipelines it started, and when the next schedule fires (nullopt:
/// no schedule).
struct SchedulerPass {
    std::vector<PipelineId> started;
    std::optional<int64_t> next_fire_at;
};

/// One pass at `now` (epoch ms): fires every schedule that is due (lifecycle::fire_schedule).
/// A schedule whose cron no longer parses is skipped with a warning.
SchedulerPass fire_due_schedules(Database& db, int64_t now);

class Scheduler {
  public:
    /// `on_started` gets each pipeline a schedule started (the coordinator prepares it), from
    /// the scheduler's thread.
    Scheduler(std::filesystem::path database_file, const Clock& clock,
              std::function<void(PipelineId)> on_started);
    ~Scheduler();
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    /// Starts the thread; its first pass fires what came due while the coordinator was down.
    void start();
    /// Makes the thread pass again now (schedules were recorded). Thread-safe.
    void wake();
    /// Stops and joins the thread.
    void stop();

  private:
    void run();

    std::filesystem::path database_file_;
    const Clock& clock_;
    std::function<void(PipelineId)> on_started_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool woken_ = false;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace fmg::coordinator
