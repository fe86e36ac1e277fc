#include "coordinator/domain/builtin_environment.h"

#include "shared/crypto.h"

namespace fmg::coordinator {
namespace {

constexpr std::string_view kBranchPrefix = "refs/heads/";
constexpr std::string_view kTagPrefix = "refs/tags/";

}  // namespace

std::string workflow_id(int64_t pipeline_id, const std::string& workflow) {
    // A hash, not a counter: nothing is stored, and every attempt of every job of the
    // workflow computes the same id. The NUL keeps "1"+"2x" apart from "12"+"x".
    std::string hex = crypto::sha256_hex("fmg workflow " + std::to_string(pipeline_id) +
                                         std::string(1, '\0') + workflow)
                          .substr(0, 32);
    hex[12] = '8';                                                    // version 8: custom
    hex[16] = "89ab"[std::stoi(hex.substr(16, 1), nullptr, 16) & 3];  // variant 10xx
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
           hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

std::map<std::string, std::string> builtin_environment(const RunContext& run,
                                                       const std::string& workflow,
                                                       const std::string& working_directory) {
    std::map<std::string, std::string> env;
    env["CI"] = "true";
    env["CIRCLECI"] = "true";
    if (run.ref.rfind(kTagPrefix, 0) == 0) {
        env["CIRCLE_TAG"] = run.ref.substr(kTagPrefix.size());
    } else if (run.ref.rfind(kBranchPrefix, 0) == 0) {
        env["CIRCLE_BRANCH"] = run.ref.substr(kBranchPrefix.size());
    } else {
        env["CIRCLE_BRANCH"] = run.ref;
    }
    env["CIRCLE_SHA1"] = run.sha;
    env["CIRCLE_BUILD_NUM"] = std::to_string(run.attempt_id);
    env["CIRCLE_JOB"] = run.job_name;
    env["CIRCLE_WORKFLOW_ID"] = workflow_id(run.pipeline_id, workflow);
    env["CIRCLE_PIPELINE_ID"] = std::to_string(run.pipeline_id);
    const auto slash = run.repo.find('/');
    if (slash != std::string::npos && slash > 0 && slash + 1 < run.repo.size()) {
        env["CIRCLE_PROJECT_USERNAME"] = run.repo.substr(0, slash);
        env["CIRCLE_PROJECT_REPONAME"] = run.repo.substr(slash + 1);
    }
    env["CIRCLE_REPOSITORY_URL"] = run.repo_url;
    env["CIRCLE_WORKING_DIRECTORY"] = working_directory;
    if (run.pr_number) {
        env["CIRCLE_PR_NUMBER"] = std::to_string(*run.pr_number);
        env["CIRCLE_PULL_REQUEST"] =
            "https://github.com/" + run.repo + "/pull/" + std::to_string(*run.pr_number);
    }
    env["CIRCLE_NODE_INDEX"] = std::to_string(run.node_index);
    env["CIRCLE_NODE_TOTAL"] = std::to_string(run.node_total);
    env["FMG_PIPELINE_ID"] = std::to_string(run.pipeline_id);
    env["FMG_JOB_ID"] = std::to_string(run.job_id);
    env["FMG_ATTEMPT_ID"] = std::to_string(run.attempt_id);
    return env;
}

}  // namespace fmg::coordinator
