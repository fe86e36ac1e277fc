#include "shared/pipeline/config.h"

#include <algorithm>
#include <string>
#include <vector>

#include "shared/pipeline/constants.h"
#include "shared/pipeline/expansion.h"
#include "shared/pipeline/jobs.h"
#include "shared/pipeline/planning.h"
#include "shared/pipeline/text.h"
#include "shared/pipeline/tree_loader.h"
#include "shared/pipeline/tree_writer.h"
#include "shared/pipeline/workflows.h"
#include "shared/pipeline/yaml_reader.h"

namespace fmg::pipeline {

namespace {

using detail::Entry;
using detail::Problem;
using detail::YamlReader;

constexpr std::string_view kNoWorkflowsJob = "build";

// The top-level keys fmg reads, and the versions of the language it reads.
constexpr std::string_view kKnownTopLevel[] = {"version", "jobs", "workflows"};
// ... and those a 2.1 config has besides, which its expansion reads.
constexpr std::string_view kKnownTopLevel21[] = {"orbs", "commands", "executors", "parameters",
                                                 "setup"};
constexpr std::string_view kVersions[] = {"2", "2.0", "2.1"};
// Longer keys are no misspelling of those (and are not compared: the cost grows with length).
constexpr std::size_t kMaxTopLevelKeyBytes = 16;

// A known top-level key `key` looks like a misspelling of (`workflow`, `job`, `Jobs`); empty
// when it looks like none. CircleCI ignores other top-level keys: projects name the keys that
// hold their YAML anchors as they like (`references`, `defaults`, `common`, `x-...`).
std::string_view misspelt_top_level(std::string_view key, bool version_2_1 = false) {
    if (key.size() > kMaxTopLevelKeyBytes) return {};
    const auto close = [&](std::string_view known) {
        // One edit away from a short key (`job`, `jobz`), two from a long one (`workflow`,
        // `verison`): `docs` or `refs` are not taken for `jobs`.
        const size_t allowed = known.size() <= 4 ? 1 : 2;
        return detail::edit_distance(key, known) <= allowed;
    };
    for (std::string_view known : kKnownTopLevel) {
        if (close(known)) return known;
    }
    for (std::string_view known : kKnownTopLevel21) {
        if (version_2_1 && close(known)) return known;
    }
    return {};
}

// Top-level keys of CircleCI's that fmg does not run: refused, never ignored as anchor holders.
ParseError unsupported_top_level(YamlReader& reader, const Node& key) {
    return reader.error_at(key,
                           "`job-groups` (jobs serialized as one unit) is not supported by "
                           "fmg; give each job its `serial-group` instead");
}

ParseError misspelt_key_error(YamlReader& reader, const Entry& entry, std::string_view known) {
    return reader.error_at(entry.key_node, "unknown top-level key " + detail::quoted(entry.key) +
                                               " (did you mean " + detail::quoted(known) +
                                               "? Other top-level keys, such as those that only "
                                               "hold YAML anchors, are ignored)");
}

// A 2.1 config's top-level keys, before its expansion keeps only what it reads: a misspelt
// `workflow:` must not vanish with the anchor holders.
Problem check_top_level_2_1(YamlReader& reader, const Node& root) {
    for (const Node::Pair& pair : root.pairs()) {
        const std::string& key = pair.first.text();
        const auto is = [&](std::string_view known) { return key == known; };
        if (key == "job-groups") return unsupported_top_level(reader, pair.first);
        if (std::any_of(std::begin(kKnownTopLevel), std::end(kKnownTopLevel), is) ||
            std::any_of(std::begin(kKnownTopLevel21), std::end(kKnownTopLevel21), is)) {
            continue;
        }
        if (auto known = misspelt_top_level(key, true); !known.empty()) {
            return misspelt_key_error(reader, Entry{key, pair.first, pair.second}, known);
        }
    }
    return std::nullopt;
}

// Keys only 2.1 configs have; in a 2.0 config they are mistakes CircleCI refuses too.
bool is_version_2_1_key(std::string_view key) {
    return key == "orbs" || key == "commands" || key == "executors" || key == "parameters";
}

// `false` as YAML writes it (`setup: false` says the config is an ordinary one).
bool is_yaml_false(const Node& value) {
    if (!value.is_scalar()) return false;
    const std::string& text = value.text();
    return text == "false" || text == "False" || text == "FALSE" || text == "no" || text == "No" ||
           text == "NO" || text == "off" || text == "Off" || text == "OFF";
}

// The three top-level entries fmg reads; null when absent.
struct TopLevel {
    const Entry* version = nullptr;
    const Entry* jobs = nullptr;
    const Entry* workflows = nullptr;
};

Problem split_top_level(YamlReader& reader, const std::vector<Entry>& entries, TopLevel& out) {
    for (const Entry& entry : entries) {
        if (entry.key == "version") {
            out.version = &entry;
        } else if (entry.key == "jobs") {
            out.jobs = &entry;
        } else if (entry.key == "workflows") {
            out.workflows = &entry;
        } else if (is_version_2_1_key(entry.key)) {
            return reader.error_at(
                entry.key_node,
                detail::quoted(entry.key) + " needs `version: 2.1` (this config says " + "2.0)");
        } else if (entry.key == "job-groups") {
            return unsupported_top_level(reader, entry.key_node);
        } else if (entry.key == "setup" && !is_yaml_false(entry.value)) {
            return reader.error_at(entry.key_node,
                                   "`setup: true` (dynamic configuration, which generates the "
                                   "config a later pipeline runs) is not supported by fmg");
        } else if (auto known = misspelt_top_level(entry.key); !known.empty()) {
            return misspelt_key_error(reader, entry, known);
        }
    }
    return std::nullopt;
}

Problem read_version(YamlReader& reader, const Entry& entry, std::string& out) {
    if (auto problem = reader.read_scalar(entry, out)) return problem;
    if (std::find(std::begin(kVersions), std::end(kVersions), out) == std::end(kVersions)) {
        return reader.error_at(entry.where(),
                               "`version` must be 2, 2.0 or 2.1, not " + detail::quoted(out));
    }
    return std::nullopt;
}

std::vector<Job> plan_without_workflows(const detail::JobDefinitions& definitions,
                                        const RefContext& ref) {
    // CircleCI runs nothing for a tag unless a workflow's tag filter asks for it; a scheduled
    // run needs a workflow with `triggers`.
    if (!ref.tag.empty() || !ref.scheduled_workflow.empty()) return {};
    return {*definitions.find(kNoWorkflowsJob)};
}

// The 2.0 form of `root`: a 2.1 config expanded, a 2.0 config as it is.
Problem expanded_form(YamlReader& reader, const Node& root, const ParseOptions& options, Node& out,
                      detail::MatrixOrigins& matrices) {
    if (!root.is_map()) {
        return reader.error_at(root, "the config must be a map with `version` and `jobs`");
    }
    out = root;
    const Node version = root.find("version");
    if (!version.is_scalar() || version.text() != "2.1") return std::nullopt;
    if (auto problem = check_top_level_2_1(reader, root)) return problem;
    if (auto problem = detail::expand_tree(reader, root, options, out, matrices)) return problem;
    // The expansion spent its own budget; reading the result has one of its own.
    reader.reset_spent();
    return std::nullopt;
}

std::variant<Config, ParseError> parse_tree(YamlReader& reader, const Node& root,
                                            const RefContext& ref,
                                            const detail::MatrixOrigins& matrices) {
    std::vector<Entry> entries;
    if (auto problem = reader.read_map(root, root, "the config", entries)) return *problem;
    TopLevel top;
    if (auto problem = split_top_level(reader, entries, top)) return *problem;

    Config config;
    if (top.version == nullptr) return reader.error_at(root, "missing `version` (2, 2.0 or 2.1)");
    if (auto problem = read_version(reader, *top.version, config.version)) return *problem;
    if (top.jobs == nullptr) return reader.error_at(root, "missing `jobs`");
    detail::JobDefinitions definitions;
    if (auto problem = detail::read_jobs(reader, *top.jobs, definitions)) return *problem;

    if (top.workflows == nullptr) {
        if (definitions.find(kNoWorkflowsJob) == nullptr) {
            return reader.error_at(top.jobs->key_node,
                                   "without `workflows`, fmg runs the job `build`, but `jobs` "
                                   "has none");
        }
        config.jobs = plan_without_workflows(definitions, ref);
        return config;
    }
    std::vector<detail::WorkflowJob> planned;
    std::vector<detail::ScheduleTrigger> triggers;
    if (auto problem = detail::read_workflows(reader, *top.workflows, definitions, planned,
                                              triggers, config.version == "2.1")) {
        return *problem;
    }
    if (auto problem = detail::check_requires_cycles(reader, planned)) return *problem;
    if (auto problem = detail::check_pipeline_names(reader, planned, definitions)) return *problem;
    config.jobs = detail::plan_jobs(planned, definitions, ref);
    for (Job& job : config.jobs) {
        const auto origin = matrices.find({job.workflow, job.name_in_workflow});
        if (origin != matrices.end()) job.matrix = origin->second;
    }
    config.schedules = detail::schedules_for(triggers, ref);
    return config;
}

// `yaml_text` loaded and, if 2.1, expanded: the tree the readers read.
Problem load_expanded(YamlReader& reader, std::string_view yaml_text, std::string_view file_name,
                      const ParseOptions& options, Node& out, detail::MatrixOrigins& matrices) {
    auto tree = detail::load_tree(yaml_text, file_name);
    if (auto* error = std::get_if<ParseError>(&tree)) return *error;
    return expanded_form(reader, std::get<Node>(tree), options, out, matrices);
}

}  // namespace

std::string ParseError::to_string() const {
    return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

std::variant<Config, ParseError> parse_config(std::string_view yaml_text,
                                              std::string_view file_name,
                                              const ParseOptions& options) {
    YamlReader reader{std::string(file_name)};
    Node expanded;
    detail::MatrixOrigins matrices;
    if (auto problem = load_expanded(reader, yaml_text, file_name, options, expanded, matrices)) {
        return *problem;
    }
    return parse_tree(reader, expanded, options.ref, matrices);
}

std::variant<Config, ParseError> parse_config(std::string_view yaml_text,
                                              std::string_view file_name, const RefContext& ref) {
    ParseOptions options;
    options.ref = ref;
    return parse_config(yaml_text, file_name, options);
}

std::variant<std::string, ParseError> expand_config(std::string_view yaml_text,
                                                    std::string_view file_name,
                                                    const ParseOptions& options) {
    YamlReader reader{std::string(file_name)};
    Node expanded;
    detail::MatrixOrigins matrices;
    if (auto problem = load_expanded(reader, yaml_text, file_name, options, expanded, matrices)) {
        return *problem;
    }
    // Only a config that parses is shown expanded: the expansion alone checks less.
    auto parsed = parse_tree(reader, expanded, options.ref, matrices);
    if (auto* error = std::get_if<ParseError>(&parsed)) return *error;
    return detail::write_tree(expanded);
}

}  // namespace fmg::pipeline
