#include "shared/pipeline/jobs.h"

#include <algorithm>
#include <charconv>
#include <string>

#include "shared/pipeline/builtin_variables.h"
#include "shared/pipeline/constants.h"
#include "shared/pipeline/environment.h"
#include "shared/pipeline/images.h"
#include "shared/pipeline/runner_labels.h"
#include "shared/pipeline/steps.h"
#include "shared/pipeline/text.h"
#include "shared/pipeline/wire_fit.h"
#include "shared/wire_limits.h"

namespace fmg::pipeline::detail {

namespace {

bool is_job_key_unsupported(std::string_view key) {
    return key == "executor" || key == "parameters" || key == "circleci_ip_ranges";
}

Problem read_steps(YamlReader& reader, const Entry& steps, Job& job) {
    std::vector<Node> items;
    if (auto problem = reader.read_sequence(steps, items)) return problem;
    if (items.empty()) return reader.error_at(steps.where(), "`steps` is empty");
    if (items.size() > kMaxStepsPerJob) {
        return reader.error_at(
            steps.key_node, "job " + quoted(job.name) + " has " + std::to_string(items.size()) +
                                " steps; at most " + std::to_string(kMaxStepsPerJob) + " allowed");
    }
    job.steps.reserve(items.size());
    for (const Node& item : items) {
        Step step;
        if (auto problem = read_step(reader, item, step)) return problem;
        job.steps.push_back(std::move(step));
    }
    return std::nullopt;
}

// `parallelism`: a whole number from 1 to kMaxParallelism, written as a number or (from a
// 2.1 parameter) as its text.
// `retention: {caches: 7d}`: how long the caches the job saves are kept, as CircleCI reads
// it (whole days, 1 to kMaxCacheRetentionDays). Kept on the job for the cache store.
Problem read_retention(YamlReader& reader, const Entry& retention, Job& job) {
    std::vector<Entry> fields;
    if (auto problem = reader.read_map(retention, fields)) return problem;
    for (const Entry& field : fields) {
        if (field.key != "caches") return reader.unknown_key(field, "`retention`", "caches");
        std::string text;
        if (auto problem = reader.read_scalar(field, text)) return problem;
        uint32_t days = 0;
        const bool digits = text.size() >= 2 && text.size() <= 4 && text.back() == 'd' &&
                            std::all_of(text.begin(), text.end() - 1, is_ascii_digit);
        if (digits) days = static_cast<uint32_t>(std::stoul(text.substr(0, text.size() - 1)));
        if (!digits || days < 1 || days > kMaxCacheRetentionDays) {
            return reader.error_at(field.where(), "`retention.caches` is whole days, 1d to " +
                                                      std::to_string(kMaxCacheRetentionDays) +
                                                      "d, not " + quoted(text));
        }
        job.cache_retention_days = days;
    }
    return std::nullopt;
}

Problem read_parallelism(YamlReader& reader, const Entry& field, Job& job) {
    std::string text;
    if (auto problem = reader.read_scalar(field, text)) return problem;
    uint32_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < 1 ||
        value > kMaxParallelism) {
        return reader.error_at(field.where(), "`parallelism` of job " + quoted(job.name) +
                                                  " must be a whole number from 1 to " +
                                                  std::to_string(kMaxParallelism) + ", not " +
                                                  quoted(text));
    }
    job.parallelism = value;
    return std::nullopt;
}

// A definition's `type`: `build` (the default, a job that runs) or `no-op`. An approval is
// a workflow entry's `type`, not a definition's.
Problem read_job_type(YamlReader& reader, const Entry& field, Job& job) {
    std::string type;
    if (auto problem = reader.read_scalar(field, type)) return problem;
    if (type == "build") return std::nullopt;
    if (type == "no-op") {
        job.type = JobType::no_op;
        return std::nullopt;
    }
    std::string message =
        "`type` of job " + quoted(job.name) + " must be build or no-op, not " + quoted(type);
    if (type == "approval") {
        message += " (an approval job is a workflow entry: `- " + job.name +
                   ": {type: approval}` under the workflow's `jobs`)";
    }
    return reader.error_at(field.where(), message);
}

// A no-op job runs nothing, so it has nothing else to say: `type: no-op` alone.
Problem read_no_op_job(YamlReader& reader, const std::vector<Entry>& fields, Job& job) {
    for (const Entry& field : fields) {
        if (field.key == "type") continue;
        return reader.error_at(field.key_node, "job " + quoted(job.name) +
                                                   " is `type: no-op`: it runs nothing, so " +
                                                   quoted(field.key) + " has no place in it");
    }
    return std::nullopt;
}

Problem read_job(YamlReader& reader, const Entry& definition, Job& job) {
    job.name = definition.key;
    job.name_in_workflow = definition.key;
    if (auto problem = check_job_name(reader, definition.key_node, job.name, "job name")) {
        return problem;
    }
    std::vector<Entry> fields;
    if (auto problem = reader.read_map(definition, fields)) return problem;
    for (const Entry& field : fields) {
        if (field.key != "type") continue;
        if (auto problem = read_job_type(reader, field, job)) return problem;
    }
    if (job.type == JobType::no_op) return read_no_op_job(reader, fields, job);
    bool has_steps = false;
    Environment primary_environment;  // the primary image's own `environment`
    for (const Entry& field : fields) {
        Problem problem;
        if (field.key == "docker") {
            problem = read_docker(reader, field, job, primary_environment);
        } else if (field.key == "steps") {
            has_steps = true;
            problem = read_steps(reader, field, job);
        } else if (field.key == "environment") {
            problem = read_environment(reader, field, job.environment);
        } else if (field.key == "working_directory") {
            problem = reader.read_scalar(field, job.working_directory);
            if (!problem && trim(job.working_directory).empty()) {
                problem = reader.error_at(field.where(), "`working_directory` is empty");
            }
            if (!problem) {
                problem =
                    check_wire_bytes(reader, field.where(), "`working_directory`",
                                     job.working_directory, wire::kMaxTextBytes, "kMaxTextBytes");
            }
        } else if (field.key == "parallelism") {
            problem = read_parallelism(reader, field, job);
        } else if (field.key == "retention") {
            problem = read_retention(reader, field, job);
        } else if (field.key == "shell") {
            problem = reader.read_scalar(field, job.shell);
            if (!problem && trim(job.shell).empty()) {
                problem = reader.error_at(field.where(), "`shell` is empty");
            }
            if (!problem) {
                problem = check_wire_bytes(reader, field.where(), "`shell`", job.shell,
                                           wire::kMaxTextBytes, "kMaxTextBytes");
            }
        } else if (field.key == "type") {
            // read_job_type, above.
        } else if (field.key == "resource_class" || field.key == "machine" ||
                   field.key == "macos" || field.key == "windows") {
            // The runner the job needs: read_runner_labels, below.
        } else if (is_job_key_unsupported(field.key)) {
            problem = reader.error_at(field.key_node,
                                      quoted(field.key) + " in job " + quoted(job.name) +
                                          " is not supported by fmg (jobs run in `docker` "
                                          "images)");
        } else {
            problem = reader.unknown_key(field, "job " + quoted(job.name),
                                         "docker, machine, resource_class, steps, environment, "
                                         "working_directory, shell, parallelism, retention or "
                                         "type");
        }
        if (problem) return problem;
    }
    if (auto problem = read_runner_labels(reader, definition, fields, job)) return problem;
    if (!has_steps) {
        return reader.error_at(definition.key_node, "job " + quoted(job.name) + " has no `steps`");
    }
    // CircleCI: the job's `shell` is the default of its run steps; a step's own wins.
    for (Step& step : job.steps) {
        if (step.kind == StepKind::run && step.shell.empty()) step.shell = job.shell;
    }
    // The steps run in the primary image's container, so they see its variables; the job's
    // `environment`, given to every step, wins over them (as in CircleCI).
    for (auto& [name, value] : primary_environment) job.environment.try_emplace(name, value);
    // fmg adds its built-in variables to the same map (builtin_variables.h).
    if (job.environment.size() > kMaxJobEnvironmentEntries) {
        return reader.error_at(definition.key_node,
                               "job " + quoted(job.name) + " has more than " +
                                   std::to_string(kMaxJobEnvironmentEntries) +
                                   " environment variables (kMaxMapEntries, less the " +
                                   std::to_string(kBuiltinVariables.size()) + " fmg sets)");
    }
    return check_assign_fits(reader, definition.key_node, job);
}

}  // namespace

const Job* JobDefinitions::find(std::string_view name) const {
    const auto it = index.find(std::string(name));
    return it == index.end() ? nullptr : &jobs[it->second];
}

Problem check_job_name(YamlReader& reader, const Node& at, std::string_view name,
                       std::string_view what) {
    if (name.empty()) return reader.error_at(at, std::string(what) + " is empty");
    if (name.size() > kMaxJobNameBytes) {
        return reader.error_at(at, std::string(what) + " " + quoted(name) + " is longer than " +
                                       std::to_string(kMaxJobNameBytes) + " bytes");
    }
    // Names are API path segments (encoded), log headers and GitHub status contexts: spaces
    // are fine inside (`OPAM 8.15`), slashes and control characters are not.
    for (char c : name) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F || c == '/') {
            return reader.error_at(at, std::string(what) + " " + quoted(name) +
                                           " may not contain slashes or control characters");
        }
    }
    if (name.front() == ' ' || name.back() == ' ') {
        return reader.error_at(
            at, std::string(what) + " " + quoted(name) + " may not start or end with a space");
    }
    return std::nullopt;
}

Problem read_jobs(YamlReader& reader, const Entry& jobs, JobDefinitions& out) {
    std::vector<Entry> definitions;
    if (auto problem = reader.read_map(jobs, definitions)) return problem;
    if (definitions.empty()) return reader.error_at(jobs.where(), "`jobs` defines no job");
    if (definitions.size() > kMaxJobs) {
        return reader.error_at(jobs.key_node,
                               "`jobs` defines " + std::to_string(definitions.size()) +
                                   " jobs; at most " + std::to_string(kMaxJobs) + " allowed");
    }
    for (const Entry& definition : definitions) {
        Job job;
        const YamlReader::Spent before = reader.spent();
        if (auto problem = read_job(reader, definition, job)) return problem;
        const YamlReader::Spent after = reader.spent();
        out.sizes.push_back({after.nodes - before.nodes, after.bytes - before.bytes});
        out.index.emplace(job.name, out.jobs.size());
        out.jobs.push_back(std::move(job));
        out.key_nodes.push_back(definition.key_node);
    }
    return std::nullopt;
}

}  // namespace fmg::pipeline::detail
