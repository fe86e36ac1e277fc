#pragma once
// The variables every step of a job sees besides its config's: CircleCI's built-in ones
// (CI, CIRCLECI, CIRCLE_*) and fmg's own ids (FMG_PIPELINE_ID, FMG_JOB_ID, FMG_ATTEMPT_ID),
// computed from the pipeline, the job and the attempt when the job is sent to a runner. The
// names and their longest values are shared/pipeline/builtin_variables.h, which the config
// parser counts in a job's assign frame.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace fmg::coordinator {

/// What one attempt of a job runs for: the values its built-in variables come from.
struct RunContext {
    int64_t pipeline_id = 0;
    std::string repo = {};      // owner/name
    std::string repo_url = {};  // where the agent checks the commit out from
    std::string ref = {};       // refs/heads/BRANCH or refs/tags/TAG (a bare name is a branch)
    std::string sha = {};
    std::optional<int64_t> pr_number = std::nullopt;  // a pull_request pipeline's number
    int64_t job_id = 0;
    std::string job_name = {};  // CIRCLE_JOB: for a node of a job, the job's name
    int64_t attempt_id = 0;
    uint32_t node_index = 0;  // which node of a job with `parallelism` (0 and 1 without)
    uint32_t node_total = 1;
};

/// A UUID-shaped id (version 8, RFC 9562) of a pipeline's workflow: the same for every job
/// of that workflow in that pipeline, different for another pipeline or workflow.
std::string workflow_id(int64_t pipeline_id, const std::string& workflow);

/// The built-in variables of an attempt of a job of `workflow` (empty without workflows)
/// whose working_directory is `working_directory`, as written (`~/project`). CIRCLE_BRANCH is set
/// for branch pushes, pull requests and manual triggers of a branch; CIRCLE_TAG for tags only.
/// CIRCLE_PR_NUMBER and CIRCLE_PULL_REQUEST only when `pr_number` is set. CIRCLE_BUILD_NUM is the
/// attempt's id: unique per run, as CircleCI's job number is, and new for each attempt of a job.
/// CIRCLE_NODE_INDEX and CIRCLE_NODE_TOTAL are the node's (0 and 1 without `parallelism`).
/// CIRCLE_PROJECT_USERNAME and CIRCLE_PROJECT_REPONAME are left unset when `repo` is not
/// owner/name.
std::map<std::string, std::string> builtin_environment(const RunContext& run,
                                                       const std::string& workflow,
                                                       const std::string& working_directory);

}  // namespace fmg::coordinator
