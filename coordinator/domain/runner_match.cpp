#include "coordinator/domain/runner_match.h"

#include <algorithm>

namespace fmg::coordinator {

bool runner_fits(const std::vector<std::string>& runner_labels,
                 const std::vector<std::string>& needed) {
    // A few labels on each side (at most kMaxRunnerLabels on a runner): a scan beats a set.
    return std::all_of(needed.begin(), needed.end(), [&](const std::string& label) {
        return std::find(runner_labels.begin(), runner_labels.end(), label) != runner_labels.end();
    });
}

std::optional<std::string> waiting_reason(
    const std::vector<std::string>& needed,
    const std::vector<std::vector<std::string>>& online_runner_labels) {
    if (online_runner_labels.empty()) return std::string("no runner is online");
    for (const auto& labels : online_runner_labels) {
        if (runner_fits(labels, needed)) return std::nullopt;
    }
    std::string reason =
        needed.size() == 1 ? "no online runner has the label " : "no online runner has labels ";
    for (size_t i = 0; i < needed.size(); ++i) reason += (i == 0 ? "" : ", ") + needed[i];
    return reason;
}

}  // namespace fmg::coordinator
