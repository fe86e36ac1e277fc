#include "shared/pipeline/workflows.h"

#include <algorithm>
#include <map>
#include <string>
#include <unordered_map>

#include "shared/pipeline/constants.h"
#include "shared/pipeline/text.h"

namespace fmg::pipeline::detail {

namespace {

struct Reading {
    YamlReader& reader;
    const JobDefinitions& definitions;
    RegexBudget regex_budget;
    // (workflow, name) -> position in out: names are unique within a workflow.
    std::map<std::pair<std::string, std::string>, std::size_t> names;
    std::unordered_map<std::string, std::size_t> first_named;  // name -> its first position
    YamlReader::Spent planned;                                 // the listed jobs' sizes together
    std::vector<WorkflowJob>& out;
    std::vector<ScheduleTrigger>& schedules;
};

// 2.1 reuse on a workflow job: a 2.1 config's expansion spends these keys, so only a 2.0
// config still holds them here.
bool is_entry_key_of_2_1(std::string_view key) {
    return key == "matrix" || key == "pre-steps" || key == "post-steps" || key == "override-with";
}

// A status qualifier: one of kRequiredStatuses, or a list of them (`[success, failed]`).
Problem read_required_statuses(YamlReader& reader, const Entry& qualifier,
                               std::vector<std::string>& out) {
    std::vector<std::string> statuses;
    std::vector<Node> nodes;
    if (auto problem = reader.read_string_list(qualifier, statuses, nodes)) return problem;
    if (statuses.empty()) {
        return reader.error_at(qualifier.where(), "the statuses `requires` accepts of " +
                                                      quoted(qualifier.key) + " are empty");
    }
    for (std::size_t i = 0; i < statuses.size(); ++i) {
        if (std::find(std::begin(kRequiredStatuses), std::end(kRequiredStatuses), statuses[i]) ==
            std::end(kRequiredStatuses)) {
            return reader.error_at(nodes[i], quoted(statuses[i]) + " is not a job status " +
                                                 "`requires` knows: success, failed, canceled " +
                                                 "or not_run");
        }
        out.push_back(statuses[i]);
    }
    return std::nullopt;
}

void add_required(WorkflowJob& job, std::string name, const Node& where) {
    if (std::find(job.required_jobs.begin(), job.required_jobs.end(), name) !=
        job.required_jobs.end()) {
        return;
    }
    job.required_jobs.push_back(std::move(name));
    job.required_nodes.push_back(where);
}

// Each item: a job's name (it must succeed), or a map from names to the statuses they may end
// in (`- build: [success, failed]`; `- build:` alone means success). A name listed twice
// accepts the statuses of both.
Problem read_requires(YamlReader& reader, const Entry& entry, WorkflowJob& job) {
    std::vector<Node> items;
    if (auto problem = reader.read_sequence(entry, items)) return problem;
    std::map<std::string, std::vector<std::string>> qualified;
    for (const Node& item : items) {
        if (!item.is_map()) {
            std::string name;
            if (auto problem = reader.read_scalar(item, item, "each item of `requires`", name)) {
                return problem;
            }
            qualified[name].push_back("success");
            add_required(job, std::move(name), item);
            continue;
        }
        std::vector<Entry> pairs;
        if (auto problem = reader.read_map(item, item, "each item of `requires`", pairs)) {
            return problem;
        }
        for (const Entry& pair : pairs) {
            auto& statuses = qualified[pair.key];
            if (pair.value.is_null()) {
                statuses.push_back("success");
            } else if (auto problem = read_required_statuses(reader, pair, statuses)) {
                return problem;
            }
            add_required(job, pair.key, pair.key_node);
        }
    }
    for (auto& [name, statuses] : qualified) {
        std::sort(statuses.begin(), statuses.end());
        statuses.erase(std::unique(statuses.begin(), statuses.end()), statuses.end());
        if (statuses != std::vector<std::string>{"success"}) {
            job.required_statuses.emplace(name, std::move(statuses));
        }
    }
    return std::nullopt;
}

// `serial-group`: the lock the job takes across pipelines (coordinator/lifecycle/
// serial_groups.h), as CircleCI checks it once expanded: 1 to 512 characters, letters,
// digits, `.`, `-`, `_` and `/`.
Problem read_serial_group(YamlReader& reader, const Entry& field, std::string& out) {
    if (auto problem = reader.read_scalar(field, out)) return problem;
    const bool allowed = std::all_of(out.begin(), out.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '-' || c == '_' || c == '/';
    });
    if (out.empty() || out.size() > kMaxSerialGroupBytes || !allowed) {
        return reader.error_at(field.where(), "`serial-group` " + quoted(out) + " must be 1 to " +
                                                  std::to_string(kMaxSerialGroupBytes) +
                                                  " letters, digits, `.`, `-`, `_` or `/`");
    }
    return std::nullopt;
}

// `type: approval`: the entry is a job of its own, needing no definition under `jobs`.
Problem read_type(YamlReader& reader, const Entry& field, WorkflowJob& job) {
    std::string type;
    if (auto problem = reader.read_scalar(field, type)) return problem;
    if (type == "approval") {
        job.type = JobType::approval;
        return std::nullopt;
    }
    std::string message = "`type` of a workflow job must be `approval`, not " + quoted(type);
    if (type == "no-op") message += " (a no-op job is defined under `jobs`, with `type: no-op`)";
    return reader.error_at(field.where(), message);
}

Problem read_entry_options(Reading& reading, const Entry& options, WorkflowJob& job) {
    YamlReader& reader = reading.reader;
    if (options.value.is_null()) return std::nullopt;  // `- build:` with nothing under it
    std::vector<Entry> fields;
    if (auto problem = reader.read_map(options, fields)) return problem;
    for (const Entry& field : fields) {
        Problem problem;
        if (field.key == "requires") {
            problem = read_requires(reader, field, job);
        } else if (field.key == "filters") {
            problem = read_filters(reader, field, reading.regex_budget, job.filters);
        } else if (field.key == "type") {
            problem = read_type(reader, field, job);
        } else if (field.key == "context") {
            std::vector<Node> nodes;
            problem = reader.read_string_list(field, job.contexts, nodes);
            if (!problem && job.contexts.size() > kMaxContexts) {
                problem = reader.error_at(
                    field.where(), "more than " + std::to_string(kMaxContexts) + " contexts");
            }
            for (std::size_t i = 0; !problem && i < job.contexts.size(); ++i) {
                if (trim(job.contexts[i]).empty() ||
                    job.contexts[i].size() > kMaxContextNameBytes) {
                    problem = reader.error_at(nodes[i], "a `context` name is 1 to " +
                                                            std::to_string(kMaxContextNameBytes) +
                                                            " bytes");
                }
            }
        } else if (field.key == "serial-group") {
            problem = read_serial_group(reader, field, job.serial_group);
        } else if (field.key == "name") {
            problem = reader.read_scalar(field, job.name);
            if (!problem) problem = check_job_name(reader, field.where(), job.name, "`name`");
            if (!problem) job.where = field.where();
        } else if (is_entry_key_of_2_1(field.key)) {
            problem = reader.error_at(field.key_node, quoted(field.key) +
                                                          " in a workflow job needs `version: "
                                                          "2.1` (CircleCI's reuse)");
        } else {
            problem = reader.unknown_key(field, "workflow job " + quoted(job.job),
                                         "requires, filters, context, name, type or serial-group");
        }
        if (problem) return problem;
    }
    return std::nullopt;
}

Problem read_entry(Reading& reading, const Node& item, WorkflowJob& job) {
    YamlReader& reader = reading.reader;
    if (item.is_scalar()) {
        job.job = item.text();
        job.where = item;
    } else {
        std::vector<Entry> entries;
        if (auto problem = reader.read_map(item, item, "a workflow job", entries)) return problem;
        if (entries.empty()) return reader.error_at(item, "empty workflow job");
        if (entries.size() > 1) {
            return reader.error_at(entries[1].key_node,
                                   "a workflow job is a job name with its options under it; " +
                                       quoted(entries[1].key) + " belongs under " +
                                       quoted(entries[0].key) + " (check the indentation)");
        }
        job.job = entries[0].key;
        job.where = entries[0].key_node;
        if (auto problem = read_entry_options(reading, entries[0], job)) return problem;
    }
    if (job.type == JobType::approval) {
        // Nothing under `jobs` is read for it, so its name is checked here.
        if (job.name.empty()) job.name = job.job;
        return check_job_name(reader, job.where, job.name, "job name");
    }
    if (reading.definitions.find(job.job) == nullptr) {
        std::vector<std::string> defined;
        for (const Job& definition : reading.definitions.jobs) defined.push_back(definition.name);
        return reader.error_at(job.where, "workflow " + quoted(job.workflow) + " runs job " +
                                              quoted(job.job) + ", which `jobs` does not define" +
                                              did_you_mean(job.job, defined));
    }
    if (job.name.empty()) job.name = job.job;
    return std::nullopt;
}

Problem add_job(Reading& reading, WorkflowJob job) {
    if (reading.out.size() >= kMaxJobs) {
        return reading.reader.error_at(
            job.where, "the workflows run more than " + std::to_string(kMaxJobs) + " jobs");
    }
    const auto [seen, inserted] =
        reading.names.emplace(std::pair{job.workflow, job.name}, reading.out.size());
    if (!inserted) {
        const WorkflowJob& first = reading.out[seen->second];
        return reading.reader.error_at(
            job.where, "job name " + quoted(job.name) + " is used twice in workflow " +
                           quoted(job.workflow) + " (first at line " +
                           std::to_string(first.where.position().line + 1) +
                           "): give one a `name:`");
    }
    reading.first_named.emplace(job.name, reading.out.size());
    // An approval job copies no definition: it costs nothing to plan.
    const YamlReader::Spent size =
        job.type == JobType::approval
            ? YamlReader::Spent{}
            : reading.definitions.sizes[reading.definitions.index.at(job.job)];
    reading.planned.nodes += size.nodes;
    reading.planned.bytes += size.bytes;
    if (reading.planned.nodes > kMaxVisitedNodes || reading.planned.bytes > kMaxReadBytes) {
        return reading.reader.error_at(job.where,
                                       "config too large: the workflows list jobs that hold "
                                       "more than " +
                                           std::to_string(kMaxVisitedNodes) + " nodes or " +
                                           std::to_string(kMaxReadBytes) + " bytes together");
    }
    reading.out.push_back(std::move(job));
    return std::nullopt;
}

// Requires name jobs of the same workflow: CircleCI does not wait across workflows.
Problem check_requires(Reading& reading, std::size_t first, const std::string& workflow) {
    for (std::size_t i = first; i < reading.out.size(); ++i) {
        const WorkflowJob& job = reading.out[i];
        for (std::size_t r = 0; r < job.required_jobs.size(); ++r) {
            if (reading.names.count({workflow, job.required_jobs[r]}) != 0) continue;
            const auto found = reading.first_named.find(job.required_jobs[r]);
            std::string message = quoted(job.name) + " requires " + quoted(job.required_jobs[r]);
            if (found == reading.first_named.end()) {
                std::vector<std::string> in_workflow;
                for (const auto& [key, position] : reading.names) {
                    if (key.first == workflow) in_workflow.push_back(key.second);
                }
                message += ", which is not a job of workflow " + quoted(workflow) +
                           did_you_mean(job.required_jobs[r], in_workflow);
            } else {
                message += ", which is in workflow " + quoted(reading.out[found->second].workflow) +
                           "; requires only work within one workflow";
            }
            return reading.reader.error_at(job.required_nodes[r], message);
        }
    }
    return std::nullopt;
}

Problem read_workflow(Reading& reading, const Entry& workflow) {
    YamlReader& reader = reading.reader;
    std::vector<Entry> fields;
    if (auto problem = reader.read_map(workflow, fields)) return problem;
    const Entry* jobs = nullptr;
    const Entry* triggers = nullptr;
    for (const Entry& field : fields) {
        if (field.key == "jobs") {
            jobs = &field;
        } else if (field.key == "triggers") {
            triggers = &field;
        } else if (field.key == "when" || field.key == "unless" || field.key == "max_auto_reruns") {
            return reader.unsupported(field, "a workflow");
        } else {
            return reader.unknown_key(field, "workflow " + quoted(workflow.key),
                                      "jobs or triggers");
        }
    }
    if (jobs == nullptr) {
        return reader.error_at(workflow.key_node,
                               "workflow " + quoted(workflow.key) + " has no `jobs`");
    }
    std::vector<Node> items;
    if (auto problem = reader.read_sequence(*jobs, items)) return problem;
    if (items.empty()) return reader.error_at(jobs->where(), "`jobs` lists no job");
    if (triggers != nullptr) {
        if (auto problem = read_triggers(reader, *triggers, workflow.key, reading.regex_budget,
                                         reading.schedules)) {
            return problem;
        }
    }
    const std::size_t first = reading.out.size();
    for (const Node& item : items) {
        WorkflowJob job;
        job.workflow = workflow.key;
        job.scheduled = triggers != nullptr;
        if (auto problem = read_entry(reading, item, job)) return problem;
        if (auto problem = add_job(reading, std::move(job))) return problem;
    }
    return check_requires(reading, first, workflow.key);
}

}  // namespace

Problem read_workflows(YamlReader& reader, const Entry& workflows,
                       const JobDefinitions& definitions, std::vector<WorkflowJob>& out,
                       std::vector<ScheduleTrigger>& schedules, bool expanded) {
    std::vector<Entry> entries;
    if (auto problem = reader.read_map(workflows, entries)) return problem;
    Reading reading{reader, definitions, {}, {}, {}, {}, out, schedules};
    bool any_workflow = false;
    for (const Entry& entry : entries) {
        // `version: 2` is a CircleCI 2.0 leftover: accepted, meaningless.
        if (entry.key == "version") continue;
        any_workflow = true;
        if (auto problem = read_workflow(reading, entry)) return problem;
    }
    // An expanded 2.1 config keeps only the workflows whose `when`/`unless` hold: none is fine.
    if (!any_workflow && !expanded) {
        return reader.error_at(workflows.key_node, "`workflows` declares no workflow");
    }
    return std::nullopt;
}

}  // namespace fmg::pipeline::detail
