#include "coordinator/schedules/scheduler.h"

#include <algorithm>
#include <chrono>

#include "coordinator/lifecycle/schedules.h"
#include "coordinator/schedules/constants.h"
#include "coordinator/store/schedule_store.h"
#include "shared/log.h"
#include "shared/pipeline/cron.h"
#include "shared/time_format.h"

namespace fmg::coordinator {

SchedulerPass fire_due_schedules(Database& db, int64_t now) {
    SchedulerPass pass;
    for (const auto& schedule : schedules::all(db)) {
        auto cron = pipeline::CronSchedule::parse(schedule.cron);
        if (!cron) {
            FMG_LOG(warn) << "schedule=" << schedule.id << " skipped: " << cron.error().message;
            continue;
        }
        const auto due = cron->next_after(schedule.last_fire_at);
        if (due && *due <= now) {
            if (auto fired = lifecycle::fire_schedule(db, schedule.id, now)) {
                pass.started.push_back(fired->pipeline_id);
            }
        }
        if (const auto next = cron->next_after(now)) {
            pass.next_fire_at = std::min(pass.next_fire_at.value_or(*next), *next);
        }
    }
    return pass;
}

Scheduler::Scheduler(std::filesystem::path database_file, const Clock& clock,
                     std::function<void(PipelineId)> on_started)
    : database_file_(std::move(database_file)), clock_(clock), on_started_(std::move(on_started)) {}

Scheduler::~Scheduler() {
    stop();
}

void Scheduler::start() {
    thread_ = std::thread([this] { run(); });
}

void Scheduler::wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    wake_.notify_one();
}

void Scheduler::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
}

void Scheduler::run() {
    Database db(database_file_);
    std::optional<int64_t> announced;  // the next fire time last logged
    bool first_pass = true;
    while (true) {
        SchedulerPass pass;
        try {
            pass = fire_due_schedules(db, clock_.wall_ms());
        } catch (const std::exception& e) {
            FMG_LOG(error) << "scheduler pass failed: " << e.what();
        }
        for (PipelineId id : pass.started) on_started_(id);
        if (first_pass || pass.next_fire_at != announced) {
            FMG_LOG(info) << "scheduler: next fire "
                          << (pass.next_fire_at ? format_rfc3339_ms(*pass.next_fire_at)
                                                : std::string("none (no schedules)"));
            announced = pass.next_fire_at;
            first_pass = false;
        }
        // Wall-clock time can jump (NTP, a suspended VM): never sleep past kMaxSchedulerSleep
        // without looking again.
        auto sleep = kMaxSchedulerSleep;
        if (pass.next_fire_at) {
            const int64_t until = std::max<int64_t>(*pass.next_fire_at - clock_.wall_ms(), 0);
            sleep = std::min(sleep, std::chrono::milliseconds(until));
        }
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, sleep, [&] { return stopping_ || woken_; });
        if (stopping_) return;
        woken_ = false;
    }
}

}  // namespace fmg::coordinator
