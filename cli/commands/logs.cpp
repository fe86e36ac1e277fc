// fmg logs ID [JOB] [--follow] [--attempt N]: a job's log, streamed as it arrives.

#include <chrono>
#include <thread>

#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "shared/exit_codes.h"

namespace fmg::cli {

namespace {

std::string job_names(const PipelineView& pipeline) {
    std::string names;
    for (const JobView& job : pipeline.jobs) names += (names.empty() ? "" : ", ") + job.name;
    return names;
}

/// How often --follow looks again at a pipeline whose jobs are not known yet.
constexpr std::chrono::milliseconds kPreparePoll{100};

/// The job the user means: the one named, or the pipeline's only job (several: exit 2).
/// A pipeline just pushed has no jobs until the coordinator has read its config: with
/// `follow`, waits for them (or for the pipeline to end without any).
ApiResult<std::string> resolve_job(const CommandContext& context, int64_t pipeline_id,
                                   bool follow) {
    const auto& positional = context.options.positional;
    if (positional.size() > 1) return positional[1];
    auto pipeline = fetch_pipeline(context.api, pipeline_id);
    while (pipeline && follow && pipeline->jobs.empty() && !is_final_status(pipeline->status)) {
        std::this_thread::sleep_for(kPreparePoll);
        pipeline = fetch_pipeline(context.api, pipeline_id);
    }
    if (!pipeline) return pipeline.error();
    std::string which = "pipeline #" + std::to_string(pipeline_id);
    if (pipeline->jobs.size() == 1) return pipeline->jobs.front().name;
    if (pipeline->jobs.empty()) {
        if (!is_final_status(pipeline->status)) {
            return ApiError{exit_code::kFailed,
                            which + " has no jobs yet: its config is being read (--follow waits)"};
        }
        std::string why = pipeline->error.empty() ? "" : ": " + pipeline->error;
        return ApiError{exit_code::kFailed, which + " has no jobs" + why};
    }
    return ApiError{exit_code::kUsage,
                    which + " has several jobs; name one of: " + job_names(*pipeline)};
}

/// After a followed log ends: 0 when the job succeeded, 1 otherwise, with a line on stderr.
int job_outcome(const CommandContext& context, int64_t pipeline_id, const std::string& name) {
    auto pipeline = fetch_pipeline(context.api, pipeline_id);
    if (!pipeline) return report(context, pipeline.error());
    for (const JobView& job : pipeline->jobs) {
        if (job.name != name) continue;
        if (job.status == "success") return exit_code::kOk;
        if (!is_final_status(job.status)) {
            return report(context, {exit_code::kFailed,
                                    "the log ended while job " + name + " is still " + job.status});
        }
        return report(context, {exit_code::kFailed, "job " + name + " " + job.status});
    }
    return report(context, {exit_code::kNotFound,
                            "pipeline #" + std::to_string(pipeline_id) + " has no job " + name});
}

int run_logs(const CommandContext& context) {
    const std::string& argument = context.options.positional[0];
    auto id = parse_id(argument);
    if (!id) return usage_error(context, "'" + argument + "' is not a pipeline id");
    const bool follow = context.options.flag("follow");
    auto job = resolve_job(context, *id, follow);
    if (!job) return report(context, job.error());

    std::string target = with_query(
        "/api/v1/pipelines/" + std::to_string(*id) + "/jobs/" + path_segment(*job) + "/log",
        {{"attempt", context.options.text("attempt")}, {"follow", follow ? "1" : ""}});
    std::ostream& out = context.console.out;
    auto streamed = context.api.stream(
        target,
        [&out](std::string_view piece) {
            out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
            out.flush();
        },
        follow);
    if (!streamed) return report(context, streamed.error());
    return follow ? job_outcome(context, *id, *job) : exit_code::kOk;
}

}  // namespace

Command logs_command() {
    return {"logs",
            "ID [JOB] [--follow] [--attempt N]",
            "a job's log; --follow streams it live until the job ends",
            {
                {"follow", "", "", "",
                 "stream new output until the job ends; exit 0 only if it succeeded", nullptr},
                {"attempt", "N", "", "", "the attempt to show (default: the latest)",
                 options::integer_between(1, 1000)},
            },
            1,
            2,
            run_logs};
}

}  // namespace fmg::cli
