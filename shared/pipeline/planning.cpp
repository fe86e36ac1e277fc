#include "shared/pipeline/planning.h"

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
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < entries.size(); ++i) index.emplace(entries[i].name, i);
    std::vector<std::vector<std::size_t>> graph(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        for (const std::string& name : entries[i].required_jobs) graph[i].push_back(index.at(name));
    }
    return graph;
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

Problem check_node_names(YamlReader& reader, const std::vector<WorkflowJob>& entries,
                         const JobDefinitions& definitions) {
    std::set<std::string_view> names;
    for (const WorkflowJob& entry : entries) names.insert(entry.name);
    for (const WorkflowJob& entry : entries) {
        if (entry.type == JobType::approval) continue;
        const uint32_t nodes = definitions.find(entry.job)->parallelism;
        if (nodes < 2) continue;
        for (uint32_t index = 0; index < nodes; ++index) {
            const std::string node = node_name(entry.name, index);
            if (names.count(node) == 0) continue;
            return reader.error_at(entry.where,
                                   "job " + quoted(entry.name) + " runs " + std::to_string(nodes) +
                                       " nodes (`parallelism`), named " +
                                       quoted(node_name(entry.name, 0)) +
                                       " and on, and another "
                                       "job is already named " +
                                       quoted(node) + ": give one a different `name:`");
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
    std::vector<Job> jobs;
    for (std::size_t i : stable_order(graph, runs)) {
        const WorkflowJob& entry = entries[i];
        // An approval job runs nothing: it has no definition to copy.
        Job job = entry.type == JobType::approval ? Job{} : *definitions.find(entry.job);
        if (entry.type == JobType::approval) job.type = JobType::approval;
        job.name = entry.name;
        job.workflow = entry.workflow;
        job.required_jobs = entry.required_jobs;
        job.required_statuses = entry.required_statuses;
        job.contexts = entry.contexts;
        jobs.push_back(std::move(job));
    }
    return jobs;
}

}  // namespace fmg::pipeline::detail
