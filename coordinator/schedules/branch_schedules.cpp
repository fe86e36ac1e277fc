#include "coordinator/schedules/branch_schedules.h"

#include <string_view>

namespace fmg::coordinator {

std::optional<lifecycle::BranchSchedules> branch_schedules(const PipelineRow& pipeline,
                                                           const pipeline::Config& config) {
    constexpr std::string_view kBranchPrefix = "refs/heads/";
    const bool own_branch = pipeline.trigger == "push" || pipeline.trigger == "manual" ||
                            pipeline.trigger == lifecycle::kScheduledTrigger;
    if (!own_branch || pipeline.ref.rfind(kBranchPrefix, 0) != 0) return std::nullopt;
    lifecycle::BranchSchedules branch;
    branch.repo = pipeline.repo;
    branch.repo_url = pipeline.repo_url;
    branch.branch = pipeline.ref.substr(kBranchPrefix.size());
    // The parser kept the schedules whose filter lets this branch through.
    for (const auto& schedule : config.schedules) {
        branch.schedules.push_back({schedule.workflow, schedule.cron});
    }
    return branch;
}

}  // namespace fmg::coordinator
