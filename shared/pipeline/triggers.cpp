#include "shared/pipeline/triggers.h"

#include <algorithm>
#include <string>

#include "shared/pipeline/cron.h"
#include "shared/pipeline/text.h"

namespace fmg::pipeline::detail {

namespace {

bool any_matches(const std::vector<NamePattern>& patterns, std::string_view name) {
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const NamePattern& pattern) { return pattern.matches(name); });
}

// The values of `only` or `ignore` under `branches`, as written, for Schedule.
Problem read_branch_texts(YamlReader& reader, const Entry& branches, Schedule& schedule) {
    std::vector<Entry> fields;
    if (auto problem = reader.read_map(branches, fields)) return problem;
    for (const Entry& field : fields) {
        std::vector<Node> nodes;
        if (field.key == "only") {
            if (auto problem = reader.read_string_list(field, schedule.branches_only, nodes)) {
                return problem;
            }
        } else if (field.key == "ignore") {
            if (auto problem = reader.read_string_list(field, schedule.branches_ignore, nodes)) {
                return problem;
            }
        }
    }
    return std::nullopt;
}

// `filters:` of a schedule: `branches` only, and required (CircleCI refuses a schedule
// without it).
Problem read_schedule_filters(YamlReader& reader, const Entry& filters, RegexBudget& budget,
                              ScheduleTrigger& out) {
    std::vector<Entry> fields;
    if (auto problem = reader.read_map(filters, fields)) return problem;
    const Entry* branches = nullptr;
    for (const Entry& field : fields) {
        if (field.key == "branches") {
            branches = &field;
        } else {
            return reader.unknown_key(field, "a schedule's `filters`", "branches");
        }
    }
    if (branches == nullptr) {
        return reader.error_at(filters.key_node,
                               "a schedule's `filters` needs `branches` (e.g. `only: main`): "
                               "CircleCI runs a scheduled workflow only on the branches it names");
    }
    Filters compiled;
    if (auto problem = read_filters(reader, filters, budget, compiled)) return problem;
    out.branches = std::move(compiled.branches);
    return read_branch_texts(reader, *branches, out.schedule);
}

Problem read_schedule(YamlReader& reader, const Entry& schedule, RegexBudget& budget,
                      ScheduleTrigger& out) {
    std::vector<Entry> fields;
    if (auto problem = reader.read_map(schedule, fields)) return problem;
    const Entry* cron = nullptr;
    const Entry* filters = nullptr;
    for (const Entry& field : fields) {
        if (field.key == "cron") {
            cron = &field;
        } else if (field.key == "filters") {
            filters = &field;
        } else {
            return reader.unknown_key(field, "a `schedule`", "cron or filters");
        }
    }
    if (cron == nullptr) {
        return reader.error_at(
            schedule.key_node,
            "a `schedule` needs `cron` (five fields in UTC, e.g. \"0 0 * * *\")");
    }
    if (filters == nullptr) {
        return reader.error_at(schedule.key_node,
                               "a `schedule` needs `filters` with `branches` (e.g. `only: main`)");
    }
    if (auto problem = reader.read_scalar(*cron, out.schedule.cron)) return problem;
    if (auto parsed = CronSchedule::parse(out.schedule.cron); !parsed) {
        return reader.error_at(cron->where(), parsed.error().message);
    }
    return read_schedule_filters(reader, *filters, budget, out);
}

}  // namespace

bool ScheduleTrigger::allows(std::string_view branch) const {
    if (!branches.only.empty()) return any_matches(branches.only, branch);
    return !any_matches(branches.ignore, branch);
}

Problem read_triggers(YamlReader& reader, const Entry& triggers, const std::string& workflow,
                      RegexBudget& budget, std::vector<ScheduleTrigger>& out) {
    std::vector<Node> items;
    if (auto problem = reader.read_sequence(triggers, items)) return problem;
    if (items.empty()) {
        return reader.error_at(triggers.where(),
                               "`triggers` lists no `schedule` (remove it to run the workflow "
                               "for pushes)");
    }
    for (const Node& item : items) {
        std::vector<Entry> entries;
        if (auto problem = reader.read_map(item, item, "a trigger", entries)) return problem;
        if (entries.size() != 1 || entries[0].key != "schedule") {
            const Node& where = entries.empty() ? item : entries[0].key_node;
            return reader.error_at(where,
                                   "a trigger is a single `schedule:` map (CircleCI has "
                                   "no other kind of trigger)");
        }
        ScheduleTrigger trigger;
        trigger.schedule.workflow = workflow;
        if (auto problem = read_schedule(reader, entries[0], budget, trigger)) return problem;
        out.push_back(std::move(trigger));
    }
    return std::nullopt;
}

bool trigger_selects(bool scheduled, std::string_view workflow, const RefContext& ref) {
    if (!ref.scheduled_workflow.empty()) return scheduled && workflow == ref.scheduled_workflow;
    if (!ref.branch.empty() || !ref.tag.empty()) return !scheduled;
    return true;
}

std::vector<Schedule> schedules_for(const std::vector<ScheduleTrigger>& triggers,
                                    const RefContext& ref) {
    std::vector<Schedule> schedules;
    if (!ref.tag.empty()) return schedules;
    for (const ScheduleTrigger& trigger : triggers) {
        if (ref.branch.empty() || trigger.allows(ref.branch)) {
            schedules.push_back(trigger.schedule);
        }
    }
    return schedules;
}

}  // namespace fmg::pipeline::detail
