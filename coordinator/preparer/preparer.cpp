#include "coordinator/preparer/preparer.h"

#include "coordinator/lifecycle/preparation.h"
#include "coordinator/lifecycle/schedules.h"
#include "coordinator/preparer/config_jobs.h"
#include "coordinator/preparer/constants.h"
#include "coordinator/schedules/branch_schedules.h"
#include "coordinator/store/database.h"
#include "coordinator/store/pipeline_store.h"
#include "coordinator/store/schedule_store.h"
#include "coordinator/store/secret_store.h"
#include "shared/git/mirror.h"
#include "shared/git/url.h"
#include "shared/log.h"
#include "shared/pipeline/config.h"

namespace fmg::coordinator {
namespace {

constexpr const char* kConfigPath = ".circleci/config.yml";

pipeline::RefContext ref_context(const std::string& ref) {
    pipeline::RefContext context;
    if (ref.rfind("refs/tags/", 0) == 0)
        context.tag = ref.substr(10);
    else if (ref.rfind("refs/heads/", 0) == 0)
        context.branch = ref.substr(11);
    else
        context.branch = ref;
    return context;
}

/// What `<< pipeline.trigger_source >>` says for a pipeline's trigger: a push or pull
/// request came by webhook; a schedule is CircleCI's `scheduled_pipeline`; a manual trigger or
/// a retry came by the API.
std::string trigger_source(const std::string& trigger) {
    if (trigger == lifecycle::kScheduledTrigger) return "scheduled_pipeline";
    return trigger == "push" || trigger == "pull_request" ? "webhook" : "api";
}

/// Everything the config of `pipeline` may refer to. fmg's pipelines are numbered, not
/// UUIDs: `pipeline.id` and `pipeline.number` are both the pipeline's id. The parameters the
/// trigger gave are checked by the parser against the config's `parameters`: an undeclared
/// or mistyped one makes the pipeline an `error` pipeline with the parser's message. A
/// scheduled pipeline runs its workflow only, which is also its `pipeline.schedule.name`.
pipeline::ParseOptions parse_options(const PipelineRow& row, const std::string& orb_dir,
                                     const std::optional<std::string>& scheduled_workflow) {
    pipeline::ParseOptions options;
    options.ref = ref_context(row.ref);
    if (scheduled_workflow) {
        options.ref.scheduled_workflow = *scheduled_workflow;
        options.pipeline.schedule_name = *scheduled_workflow;
    }
    options.pipeline.id = std::to_string(row.id);
    options.pipeline.number = row.id;
    options.pipeline.revision = row.sha;
    options.pipeline.git_url = row.repo_url;
    options.pipeline.repository = row.repo;
    options.pipeline.trigger_source = trigger_source(row.trigger);
    options.pipeline.parameters = row.parameters;
    options.orb_dir = orb_dir;
    return options;
}

/// Whether `config` still schedules `workflow` for the branch it was read for.
bool schedules_workflow(const pipeline::Config& config, const std::string& workflow) {
    for (const auto& schedule : config.schedules) {
        if (schedule.workflow == workflow) return true;
    }
    return false;
}

/// Thrown out of a fetch that stop() interrupted.
struct StoppedWhileFetching {};

}  // namespace

void prepare_pipeline(Database& db, const std::filesystem::path& mirrors_dir,
                      const std::string& orb_dir, const lifecycle::StatusContext& statuses,
                      const FetchFunction& fetch, PipelineId id, int64_t now) {
    auto pipeline = pipelines::find(db, id);
    if (!pipeline || pipeline->prepared) return;

    auto mirror = git::Mirror::open(mirrors_dir, pipeline->repo_url);
    if (!mirror) return lifecycle::fail_preparation(db, statuses, id, mirror.error().message, now);
    if (pipeline->sha.empty() || !mirror->has_commit(pipeline->sha)) {
        if (auto fetched = fetch(pipeline->repo_url); !fetched) {
            return lifecycle::fail_preparation(db, statuses, id, fetched.error().message, now);
        }
    }
    if (pipeline->sha.empty()) {
        // A manual trigger names a ref; pin the commit it points at now.
        auto sha = mirror->resolve(pipeline->ref);
        if (!sha) return lifecycle::fail_preparation(db, statuses, id, sha.error().message, now);
        lifecycle::pin_commit(db, id, *sha);
        pipeline->sha = *sha;
    }
    auto text = mirror->read_file(pipeline->sha, kConfigPath);
    if (!text) return lifecycle::fail_preparation(db, statuses, id, text.error().message, now);
    if (!text->has_value()) {
        return lifecycle::fail_preparation(
            db, statuses, id,
            std::string(kConfigPath) + ": no such file at " + pipeline->sha.substr(0, 12), now);
    }
    const auto scheduled_workflow = schedules::scheduled_workflow_of(db, id);
    auto parsed = pipeline::parse_config(**text, kConfigPath,
                                         parse_options(*pipeline, orb_dir, scheduled_workflow));
    if (auto* error = std::get_if<pipeline::ParseError>(&parsed)) {
        return lifecycle::fail_preparation(db, statuses, id, error->to_string(), now);
    }
    const auto& config = std::get<pipeline::Config>(parsed);
    if (auto branch = branch_schedules(*pipeline, config)) {
        lifecycle::record_schedules(db, *branch, now);
    }
    if (scheduled_workflow && !schedules_workflow(config, *scheduled_workflow)) {
        return lifecycle::fail_preparation(
            db, statuses, id,
            std::string(kConfigPath) + " at " + pipeline->sha.substr(0, 12) +
                " no longer schedules workflow `" + *scheduled_workflow + "` for " + pipeline->ref,
            now);
    }
    const auto jobs =
        config_jobs(config, secrets::has_secrets(db, secrets::repository_scope(pipeline->repo)));
    if (!lifecycle::record_jobs(db, statuses, id, jobs, now)) return;
    FMG_LOG(info) << "pipeline=" << id << " " << pipeline->repo << " @ "
                  << pipeline->sha.substr(0, 7) << ": " << jobs.size() << " job(s)";
}

Preparer::Preparer(std::filesystem::path database_file, std::filesystem::path mirrors_dir,
                   std::string orb_dir, lifecycle::StatusContext statuses, const Clock& clock,
                   FetchFunction fetch, std::function<void(PipelineId)> on_prepared)
    : database_file_(std::move(database_file)),
      mirrors_dir_(std::move(mirrors_dir)),
      orb_dir_(std::move(orb_dir)),
      statuses_(std::move(statuses)),
      clock_(clock),
      fetch_(std::move(fetch)),
      on_prepared_(std::move(on_prepared)) {}

Preparer::~Preparer() {
    stop();
}

void Preparer::start() {
    {
        Database db(database_file_);
        for (PipelineId id : pipelines::unprepared(db)) enqueue(id);
    }
    for (std::size_t i = 0; i < kPreparerThreads; ++i) {
        threads_.emplace_back([this] { run(); });
    }
}

void Preparer::enqueue(PipelineId id) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(id);
    }
    wake_.notify_one();
}

void Preparer::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        stopping_flag_ = true;
    }
    wake_.notify_all();
    for (auto& thread : threads_) {
        if (thread.joinable()) thread.join();
    }
    threads_.clear();
}

PipelineId Preparer::take() {
    std::unique_lock lock(mutex_);
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) return 0;
    PipelineId id = queue_.front();
    queue_.pop_front();
    return id;
}

void Preparer::run() {
    Database db(database_file_);
    while (true) {
        PipelineId id = take();
        if (id == 0) return;
        auto pipeline = pipelines::find(db, id);
        if (!pipeline) continue;
        // Pipelines of one repository (one mirror, one lock) go to one thread at a time, so a
        // hung server holds that thread only, never every thread of the pool.
        const std::string repository = git::mirror_dir_name(pipeline->repo_url);
        {
            std::lock_guard lock(mutex_);
            if (busy_.count(repository) != 0) {
                waiting_[repository].push_back(id);
                continue;
            }
            busy_.insert(repository);
        }
        // A fetch stopped by stop() is no failure of the pipeline: it is left unprepared, for
        // the next start, instead of ending in error.
        const FetchFunction fetch = [this](const std::string& url) {
            Status fetched = fetch_(url);
            if (!fetched && stopping_flag_) throw StoppedWhileFetching{};
            return fetched;
        };
        while (id != 0) {
            try {
                prepare_pipeline(db, mirrors_dir_, orb_dir_, statuses_, fetch, id,
                                 clock_.wall_ms());
            } catch (const StoppedWhileFetching&) {
                FMG_LOG(info) << "pipeline=" << id << " left for the next start: stopping";
                return;
            } catch (const std::exception& e) {
                FMG_LOG(error) << "pipeline=" << id << " could not be prepared: " << e.what();
            }
            on_prepared_(id);
            std::lock_guard lock(mutex_);
            id = 0;
            auto next = waiting_.find(repository);
            if (next != waiting_.end() && !next->second.empty() && !stopping_) {
                id = next->second.front();
                next->second.pop_front();
            } else {
                // Left waiting only when stopping: prepared again at the next start.
                waiting_.erase(repository);
                busy_.erase(repository);
            }
        }
    }
}

}  // namespace fmg::coordinator
