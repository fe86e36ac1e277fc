#pragma once
// Which runners may take a job: the labels a job needs (`machine`, `macos`, `windows`,
// `resource_class` in its config; shared/pipeline/runner_labels.h) against the labels a
// runner carries (`fmg configure add-runner --labels`, or the agent's `--labels`). The
// scheduler dispatches with it, and the API says with it why a queued job waits.

#include <optional>
#include <string>
#include <vector>

namespace fmg::coordinator {

/// True when `runner_labels` holds every label of `needed` (a job that needs none fits any
/// runner). Labels are compared exactly, case included.
bool runner_fits(const std::vector<std::string>& runner_labels,
                 const std::vector<std::string>& needed);

/// Why a queued job that needs `needed` cannot be dispatched, given the labels of each runner
/// that is online (`online_runner_labels`, one list per runner), or nullopt when one of them
/// fits it (then it waits for a free slot only): "no runner is online", "no online runner has
/// the label large", or "no online runner has labels machine, large" (every needed label, in
/// the job's order).
std::optional<std::string> waiting_reason(
    const std::vector<std::string>& needed,
    const std::vector<std::vector<std::string>>& online_runner_labels);

}  // namespace fmg::coordinator
