#pragma once
// A workflow's `triggers` (CircleCI's scheduled workflows): the schedules it runs on, and the
// rule that a scheduled workflow runs only on its schedule, never for a push. Internal to
// shared/pipeline/.

#include <string_view>
#include <vector>

#include "shared/pipeline/config.h"
#include "shared/pipeline/filters.h"
#include "shared/pipeline/yaml_reader.h"

namespace fmg::pipeline::detail {

/// One `- schedule:` item, with its branch filter compiled.
struct ScheduleTrigger {
    Schedule schedule;
    RefFilter branches;
    /// Whether `branch` gets this schedule. As CircleCI documents for schedules: with `only`,
    /// the branch must match one of its values (`ignore` is then not looked at); without it,
    /// it must match no `ignore` value; with neither, every branch does.
    bool allows(std::string_view branch) const;
};

/// Reads a workflow's `triggers` entry: a non-empty list of `- schedule:` maps, each with a
/// `cron` (cron.h) and `filters` holding `branches` (`only` and/or `ignore`, as job filters);
/// both are required, as on CircleCI. Appends one ScheduleTrigger per item to `out`. Fails,
/// at the offending node, on anything else (`tags` filters, unknown keys, a bad cron).
Problem read_triggers(YamlReader& reader, const Entry& triggers, const std::string& workflow,
                      RegexBudget& budget, std::vector<ScheduleTrigger>& out);

/// Whether the jobs of workflow `workflow` (`scheduled`: it has triggers) run for `ref`: a
/// scheduled run runs its workflow only; a push or pull request runs the workflows without
/// triggers; an empty ref (what `fmg validate` lists) runs every workflow.
bool trigger_selects(bool scheduled, std::string_view workflow, const RefContext& ref);

/// The schedules that `ref`'s branch gets, in config order: all of them for an empty ref,
/// none for a tag.
std::vector<Schedule> schedules_for(const std::vector<ScheduleTrigger>& triggers,
                                    const RefContext& ref);

}  // namespace fmg::pipeline::detail
