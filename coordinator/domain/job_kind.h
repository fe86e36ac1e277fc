#pragma once
// What a job is (the config's `type`, shared/pipeline/config.h JobType): one that runs its
// steps on a runner, or one the coordinator settles itself without a runner. Stored with the
// job (jobs.kind) and shown by the API as the job's `type`.

#include <optional>
#include <string_view>

#include "shared/pipeline/config.h"

namespace fmg::coordinator {

enum class JobKind {
    build,     // runs its steps on a runner
    approval,  // on_hold once ready, until a person approves it; then success
               // (lifecycle/approval.h)
    no_op,     // success as soon as it is ready: nothing to run
};

/// "build", "approval" or "no-op", as the config writes them.
std::string_view to_string(JobKind kind);
std::optional<JobKind> parse_job_kind(std::string_view text);

/// The kind of a job of a parsed config.
JobKind job_kind_of(pipeline::JobType type);

}  // namespace fmg::coordinator
