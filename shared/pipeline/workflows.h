#pragma once
// The `workflows` map: which jobs run, under which names, after which others, for which refs.
// Internal to shared/pipeline/.

#include <map>
#include <string>
#include <vector>

#include "shared/pipeline/filters.h"
#include "shared/pipeline/jobs.h"
#include "shared/pipeline/triggers.h"
#include "shared/pipeline/yaml_reader.h"

namespace fmg::pipeline::detail {

/// One item of a workflow's `jobs` list.
struct WorkflowJob {
    std::string name;      // `name:` if given, else the job's; unique in its workflow
    std::string job;       // the definition under `jobs` (an approval's: none, its own name)
    std::string workflow;  // the workflow it is listed in
    Node where;            // the job name as listed, for messages
    std::vector<std::string> required_jobs;  // names in the same workflow, without repeats
    std::vector<Node> required_nodes;
    std::map<std::string, std::vector<std::string>> required_statuses;  // as Job's
    Filters filters;
    std::vector<std::string> contexts;  // `context`: one name or a list
    std::string serial_group;           // `serial-group`; empty: none
    bool scheduled = false;             // its workflow has `triggers`: it runs on the schedule only
    JobType type = JobType::build;      // approval: `type: approval`, with no definition
};

/// Reads the `workflows` entry (its `version` key is ignored): every workflow's `jobs`, in
/// config order, and the schedules of those with `triggers` (triggers.h) into `schedules`. An
/// entry with `type: approval` is a job of its own (no definition needed); any other `type` is
/// an error. Fails on a job not defined under `jobs`, a name used twice in one workflow
/// (without distinct `name:`s; two workflows may each have a job of a name), a `requires` naming no
/// job of the same workflow, more than kMaxJobs entries in all, and unsupported keys
/// (`override-with`...). Does not look for cycles. `expanded` (a 2.1 config's expansion):
/// no workflow is fine, as every one's `when`/`unless` may be false.
Problem read_workflows(YamlReader& reader, const Entry& workflows,
                       const JobDefinitions& definitions, std::vector<WorkflowJob>& out,
                       std::vector<ScheduleTrigger>& schedules, bool expanded);

}  // namespace fmg::pipeline::detail
