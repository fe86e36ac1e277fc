#include "shared/pipeline/planning.h"

#include <map>
#include <set>
#include <string>
#include <unordered_map>

#include "shared/pipeline/nodes.h"
#include "shared/pipeline/text.h"
#include "shared/pipeline/triggers.h"

namespace fmg::pipeline::detail {

namespace {

constexpr std::size_t kMaxCycleNamesShown = 8;

// For each entry, the positions of the entries it requires.
std::vector<std::vector<std::size_t>> requires_graph(const std::vector<WorkflowJob>& entries) {
    std::map<std::pair<std::string_view, std::string_view>, std::size_t> index;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        index.emplace(
            std::pair<std::string_view, std::string_view>(entries[i].workflow, entries[i].name), i);
    }
    std::vector<std::vector<std::size_t>> graph(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        for (const std::string& name : entries[i].required_jobs) {
            graph[i].push_back(index.at({entries[i].workflow, name}));
        }
    }
    return graph;
}

// The pipeline's name of each entry when those marked in `runs` run together: its own, or
// shared_name (nodes.h) when another running entry has the same name (another workflow's).
std::vector<std::string> pipeline_names(const std::vector<WorkflowJob>& entries,
                                        const std::vector<bool>& runs) {
    std::map<std::string_view, int> count;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (runs[i]) ++count[entries[i].name];
    }
    std::vector<std::string> names;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const bool shared = runs[i] && count[entries[i].name] > 1;
        names.push_back(shared ? shared_name(entries[i].workflow, entries[i].name)
                               : entries[i].name);
    }
    return names;
}

std::string describe_cycle(const std::vector<WorkflowJob>& entries,
                           const std::vector<std::size_t>& path) {
    std::string text;
    for (std::size_t i = 0; i < path.size(); ++i) {
        if (i == kMaxCycleNamesShown && path.size() > kMaxCycleNamesShown + 1) {
            text += " -> ...";
            break;
        }
        if (i > 0) text += " -> ";
        text += quoted(entries[path[i]].name);
    }
    return text + " -> " + quoted(entries[path.front()].name);
}

// Kahn's algorithm over the entries with `keep` set, taking the earliest ready entry first.
std::vector<std::size_t> stable_order(const std::vector<std::vector<std::size_t>>& graph,
                                      const std::vector<bool>& keep) {
    std::vector<std::size_t> waiting_on(graph.size(), 0);
    std::vector<std::vector<std::size_t>> dependents(graph.size());
    std::set<std::size_t> ready;
    for (std::size_t i = 0; i < graph.size(); ++i) {
        if (!keep[i]) continue;
        for (std::size_t required : graph[i]) {
            if (!keep[required]) continue;
            ++waiting_on[i];
            dependents[required].push_back(i);
        }
        if (waiting_on[i] == 0) ready.insert(i);
    }
    std::vector<std::size_t> order;
    while (!ready.empty()) {
        const std::size_t next = *ready.begin();
        ready.erase(ready.begin());
        order.push_back(next);
        for (std::size_t dependent : dependents[next]) {
            if (--waiting_on[dependent] == 0) ready.insert(dependent);
        }
    }
    return order;
}

}  // namespace

Problem check_requires_cycles(YamlReader& reader, const std::vector<WorkflowJob>& entries) {
    enum class Mark { unvisited, on_path, done };
    const auto graph = requires_graph(entries);
    std::vector<Mark> marks(entries.size(), Mark::unvisited);
    struct Frame {
        std::size_t entry;
        std::size_t next_edge;
    };
    for (std::size_t start = 0; start < entries.size(); ++start) {
        if (marks[start] != Mark::unvisited) continue;
        std::vector<Frame> path{{start, 0}};
        marks[start] = Mark::on_path;
        while (!path.empty()) {
            Frame& frame = path.back();
            if (frame.next_edge == graph[frame.entry].size()) {
                marks[frame.entry] = Mark::done;
                path.pop_back();
                continue;
            }
            const std::size_t edge = frame.next_edge++;
            const std::size_t target = graph[frame.entry][edge];
            if (marks[target] == Mark::on_path) {
                std::vector<std::size_t> cycle;
                bool in_cycle = false;
                for (const Frame& step : path) {
                    in_cycle = in_cycle || step.entry == target;
                    if (in_cycle) cycle.push_back(step.entry);
                }
                return reader.error_at(entries[frame.entry].required_nodes[edge],
                                       "requires form a cycle: " + describe_cycle(entries, cycle));
            }
            if (marks[target] == Mark::unvisited) {
                marks[target] = Mark::on_path;
                path.push_back({target, 0});
            }
        }
    }
    return std::nullopt;
}

Problem check_pipeline_names(YamlReader& reader, const std::vector<WorkflowJob>& entries,
                             const JobDefinitions& definitions) {
    // The names when every workflow runs (as `fmg validate` shows them), with the names as
    // written: no job's name, and no node's, may be another job's.
    const std::vector<std::string> names =
        pipeline_names(entries, std::vector<bool>(entries.size(), true));
    std::set<std::string_view> taken;
    for (const WorkflowJob& entry : entries) taken.insert(entry.name);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (names[i] == entries[i].name) continue;
        const std::string what = "the name fmg gives job " + quoted(entries[i].name) +
                                 " of workflow " + quoted(entries[i].workflow) +
                                 " (another workflow has a job of that name)";
        if (auto problem = check_job_name(reader, entries[i].where, names[i], what)) {
            return problem;
        }
        if (!taken.insert(names[i]).second) {
            return reader.error_at(entries[i].where, what + ", " + quoted(names[i]) +
                                                         ", is another job's: give one a `name:`");
        }
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const WorkflowJob& entry = entries[i];
        if (entry.type == JobType::approval) continue;
        const uint32_t nodes = definitions.find(entry.job)->parallelism;
        if (nodes < 2) continue;
        for (const std::string* name : {&entry.name, &names[i]}) {
            for (uint32_t index = 0; index < nodes; ++index) {
                const std::string node = node_name(*name, index);
                if (taken.count(node) == 0) continue;
                return reader.error_at(
                    entry.where, "job " + quoted(*name) + " runs " + std::to_string(nodes) +
                                     " nodes (`parallelism`), named " +
                                     quoted(node_name(*name, 0)) +
                                     " and on, and another job is already named " + quoted(node) +
                                     ": give one a different `name:`");
            }
        }
    }
    return std::nullopt;
}

std::vector<Job> plan_jobs(const std::vector<WorkflowJob>& entries,
                           const JobDefinitions& definitions, const RefContext& ref) {
    const auto graph = requires_graph(entries);
    const std::vector<bool> everything(entries.size(), true);
    std::vector<bool> runs(entries.size(), false);
    for (std::size_t i : stable_order(graph, everything)) {
        bool upstream_runs = true;
        for (std::size_t required : graph[i]) upstream_runs = upstream_runs && runs[required];
        runs[i] = upstream_runs &&
                  trigger_selects(entries[i].scheduled, entries[i].workflow, ref) &&
                  entries[i].filters.selects(ref);
    }
    const std::vector<std::string> names = pipeline_names(entries, runs);
    std::vector<Job> jobs;
    for (std::size_t i : stable_order(graph, runs)) {
        const WorkflowJob& entry = entries[i];
        // An approval job runs nothing: it has no definition to copy.
        Job job = entry.type == JobType::approval ? Job{} : *definitions.find(entry.job);
        if (entry.type == JobType::approval) job.type = JobType::approval;
        job.name = names[i];
        job.name_in_workflow = entry.name;
        job.workflow = entry.workflow;
        job.required_jobs.clear();
        job.required_statuses.clear();
        // Requires name jobs of the same workflow (graph[i], in required_jobs' order).
        for (std::size_t r = 0; r < graph[i].size(); ++r) {
            const std::string& name = names[graph[i][r]];
            job.required_jobs.push_back(name);
            const auto statuses = entry.required_statuses.find(entry.required_jobs[r]);
            if (statuses != entry.required_statuses.end()) {
                job.required_statuses.emplace(name, statuses->second);
            }
        }
        job.contexts = entry.contexts;
        job.serial_group = entry.serial_group;
        jobs.push_back(std::move(job));
    }
    return jobs;
}

}  // namespace fmg::pipeline::detail
