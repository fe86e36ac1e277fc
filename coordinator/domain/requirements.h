#pragma once
// When a blocked job may run, given how the jobs it requires ended. By default each must
// succeed; CircleCI's status qualifiers (`- build: [success, failed]`) let a job run after
// other ends too (a clean-up or a report after failed tests). A qualifier on a job with
// `parallelism` applies to the job as a whole: to the end of all its nodes together.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "coordinator/domain/states.h"

namespace fmg::coordinator {

/// A `requires` item with status qualifiers: the jobs of the pipeline it names (a config's
/// job, or every node of one) and the statuses (shared/pipeline/config.h kRequiredStatuses)
/// their end may have.
struct StatusRequirement {
    std::vector<std::string> jobs;
    std::vector<std::string> statuses;

    friend bool operator==(const StatusRequirement&, const StatusRequirement&) = default;
};

/// How a blocked job stands: its requirements are not all settled yet, are all met, or one
/// can no longer be met (the job is skipped).
enum class Readiness { waiting, ready, never };

/// The status a qualifier compares of jobs that have all ended: `success` when every one
/// succeeded; else `failed` when one failed or errored; else `canceled` when one was
/// cancelled; else `not_run` (skipped).
std::string_view required_status(const std::vector<JobState>& ends);

/// How a job requiring `required_jobs` stands, with `qualified` covering some of them (the
/// others must succeed). `state_of` gives a required job's state; nullopt (a job the pipeline
/// does not have) counts as succeeded.
Readiness readiness(const std::vector<std::string>& required_jobs,
                    const std::vector<StatusRequirement>& qualified,
                    const std::function<std::optional<JobState>(const std::string&)>& state_of);

/// The JSON of a jobs.requires_statuses column: `[{"jobs": [...], "statuses": [...]}]`.
std::string to_json(const std::vector<StatusRequirement>& requirements);
/// Parses that column; anything else gives an empty list.
std::vector<StatusRequirement> status_requirements_from_json(const std::string& json);

}  // namespace fmg::coordinator
