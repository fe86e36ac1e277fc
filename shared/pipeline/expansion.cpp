#include "shared/pipeline/expansion.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shared/pipeline/constants.h"
#include "shared/pipeline/expressions.h"
#include "shared/pipeline/library.h"
#include "shared/pipeline/logic.h"
#include "shared/pipeline/parameters.h"
#include "shared/pipeline/reuse.h"
#include "shared/pipeline/substitution.h"
#include "shared/pipeline/text.h"

namespace fmg::pipeline::detail {

namespace {

// Workflow entry keys that configure the entry; every other key is a job parameter's value.
constexpr std::string_view kEntryKeys[] = {
    "requires", "name",      "context",    "filters",      "type",
    "matrix",   "pre-steps", "post-steps", "serial-group", "override-with"};
// Entry keys that stay in the 2.0 form's entry (`override-with` is spent choosing the job).
constexpr std::string_view kKeptEntryKeys[] = {"requires", "context", "filters", "type",
                                               "serial-group"};

bool is_one_of(std::string_view key, const auto& keys) {
    return std::find(std::begin(keys), std::end(keys), key) != std::end(keys);
}

// A job name made from a reference or matrix values: `/` (orb jobs: `node/test`) cannot be
// in fmg's job names, which are API path segments; CircleCI shows them, fmg uses `-`.
std::string job_name_from(std::string name) {
    std::replace(name.begin(), name.end(), '/', '-');
    return name;
}

// What one matrix value contributes to a generated name.
std::string value_name(const Node& value) {
    if (value.is_scalar()) return value.text();
    if (value.is_map()) return value.find("name").text();
    return "";
}

// One job of a workflow, after its matrix is spread.
struct Instance {
    std::string name;  // the job's name in its workflow
    // The name of its definition in the expanded config: `name`, unless an earlier workflow
    // has a job of that name (whose definition may differ), then `name-2`, `name-3`...
    std::string definition;
    std::string given_name;           // as the config would call it (`node/test`), for `requires`
    std::string alias;                // the matrix's alias; empty without a matrix
    Node key;                         // the entry's job reference, for positions
    std::vector<Node::Pair> options;  // kept entry keys, `requires` still as written
    bool approval = false;
    Node job;  // the instantiated job; absent for approvals
};

class Expander {
  public:
    Expander(YamlReader& reader, const ParseOptions& options, MatrixOrigins& matrices)
        : reader_(reader), options_(options), matrices_(matrices) {}

    Problem run(const Node& root, Node& out) {
        set_pipeline_values();
        if (auto problem = bind_pipeline_parameters(root)) return problem;
        OrbSources sources{options_.orb_dir, {nullptr, &pipeline_, nullptr}, 0};
        if (auto problem = read_library(reader_, root, sources, 0, library_)) return problem;
        Reuse reuse(reader_, library_, pipeline_);
        reuse_ = &reuse;

        const Node workflows = root.find("workflows");
        std::vector<Node::Pair> workflow_pairs;
        if (workflows.is_defined()) {
            std::vector<Entry> entries;
            if (auto problem = reader_.read_map(workflows, workflows, "`workflows`", entries)) {
                return problem;
            }
            for (const Entry& workflow : entries) {
                if (workflow.key == "version") continue;
                if (auto problem = expand_workflow(workflow, workflow_pairs)) return problem;
            }
        } else if (auto problem = add_build_job()) {
            return problem;
        }
        for (const Instance& instance : idle_jobs_)
            add_job(instance.name, instance.key, instance.job);
        if (auto problem = add_unused_jobs()) return problem;

        std::vector<Node::Pair> top;
        bool has_jobs = false;
        for (const Node::Pair& pair : root.pairs()) {
            const std::string& key = pair.first.text();
            // `setup` stays for the reader to refuse (dynamic configuration).
            if (key == "version" || key == "setup") top.push_back(pair);
            if (key == "jobs") {
                has_jobs = true;
                top.emplace_back(pair.first, Node::map(jobs_, pair.second.position()));
            }
            if (key == "workflows") {
                top.emplace_back(pair.first,
                                 Node::map(std::move(workflow_pairs), pair.second.position()));
            }
        }
        // Jobs may all come from orbs, with no `jobs` of the config's own.
        if (!has_jobs && !jobs_.empty()) {
            top.emplace_back(Node::scalar("jobs", root.position()),
                             Node::map(jobs_, root.position()));
        }
        out = Node::map(std::move(top), root.position());
        return std::nullopt;
    }

  private:
    void set_pipeline_values() {
        const PipelineValues& values = options_.pipeline;
        const auto set = [&](const std::string& name, const std::string& value) {
            pipeline_[name] = Node::scalar(value, {});
        };
        set("id", values.id.empty() ? "00000000-0000-0000-0000-000000000000" : values.id);
        set("number", std::to_string(values.number));
        set("git.branch", options_.ref.branch);
        set("git.tag", options_.ref.tag);
        set("git.revision", values.revision);
        set("git.base_revision", values.base_revision);
        set("project.git_url", values.git_url);
        set("project.type", "github");
        set("project.slug", values.repository.empty() ? "" : "gh/" + values.repository);
        set("in_setup", "false");
        set("trigger_source", values.trigger_source);
        set("schedule.name", values.schedule_name);
        set("schedule.id", "");
    }

    Problem bind_pipeline_parameters(const Node& root) {
        std::vector<ParameterSpec> specs;
        for (const Node::Pair& pair : root.pairs()) {
            if (pair.first.text() != "parameters" || pair.second.is_null()) continue;
            if (auto problem = read_parameter_specs(
                    reader_, Entry{"parameters", pair.first, pair.second}, specs)) {
                return problem;
            }
        }
        std::vector<Entry> given;
        for (const auto& [name, value] : options_.pipeline.parameters) {
            const Node text = Node::scalar(value, root.position());
            given.push_back(Entry{name, text, text});
        }
        Bindings bindings;
        if (auto problem = bind_parameters(reader_, specs, given, root,
                                           "the pipeline (its `parameters`)", bindings)) {
            return problem;
        }
        for (auto& [name, value] : bindings) pipeline_["parameters." + name] = value;
        return std::nullopt;
    }

    References pipeline_only() const { return {nullptr, &pipeline_, nullptr}; }

    // The first job of a name wins; a second (the same name twice in one workflow) is the
    // workflow reader's to report.
    void add_job(const std::string& name, const Node& key, const Node& job) {
        if (used_names_.insert(name).second) {
            jobs_.emplace_back(Node::scalar(name, key.position()), job);
        }
    }

    // Without workflows CircleCI runs the job `build`.
    Problem add_build_job() {
        const auto build = find_definition(library_, DefinitionKind::job, "build");
        if (!build) return std::nullopt;  // the job reader says `build` is missing
        used_definitions_.insert("build");
        Node job;
        JobCall call{{}, library_.job_keys.at("build"), {}, {}};
        if (auto problem = reuse_->instantiate_job(*build, call, job)) return problem;
        add_job("build", call.where, job);
        return std::nullopt;
    }

    // Definitions no entry runs are still checked, as in a 2.0 config, when they can be
    // instantiated on their own (every parameter has a default).
    Problem add_unused_jobs() {
        for (const auto& [name, body] : library_.jobs) {
            if (used_definitions_.count(name) != 0 || used_names_.count(name) != 0) continue;
            const Node parameters = body.find("parameters");
            bool all_defaults = true;
            for (const Node::Pair& parameter : parameters.pairs()) {
                all_defaults = all_defaults && parameter.second.find("default").is_defined();
            }
            if (!all_defaults) continue;
            const Node key = library_.job_keys.at(name);
            Node job;
            const auto definition = find_definition(library_, DefinitionKind::job, name);
            if (auto problem = reuse_->instantiate_job(*definition, {{}, key, {}, {}}, job)) {
                return problem;
            }
            add_job(name, key, job);
        }
        return std::nullopt;
    }

    Problem condition_of(const std::vector<Entry>& fields, bool& runs) {
        runs = true;
        for (const Entry& field : fields) {
            if (field.key != "when" && field.key != "unless") continue;
            Node statement;
            if (auto problem = substitute(reader_, field.value, pipeline_only(), statement)) {
                return problem;
            }
            bool holds = false;
            if (auto problem = evaluate_logic(reader_, statement, &pipeline_, holds))
                return problem;
            runs = runs && (field.key == "when" ? holds : !holds);
        }
        return std::nullopt;
    }

    Problem expand_workflow(const Entry& workflow, std::vector<Node::Pair>& out) {
        std::vector<Entry> fields;
        if (auto problem = reader_.read_map(workflow, fields)) return problem;
        bool runs = true;
        if (auto problem = condition_of(fields, runs)) return problem;
        std::vector<Instance> instances;
        std::vector<Node::Pair> pairs;
        for (const Entry& field : fields) {
            if (field.key == "when" || field.key == "unless") continue;
            if (field.key != "jobs") {
                Node value;
                if (auto problem = substitute(reader_, field.value, pipeline_only(), value)) {
                    return problem;
                }
                pairs.emplace_back(field.key_node, value);
                continue;
            }
            std::vector<Node> items;
            if (auto problem = reader_.read_sequence(field, items)) return problem;
            for (const Node& item : items) {
                if (auto problem = expand_entry(workflow.key, item, instances)) return problem;
            }
            for (Instance& instance : instances) instance.definition = definition_name(instance);
            std::vector<Node> entries;
            if (auto problem = link_requires(instances, entries)) return problem;
            pairs.emplace_back(field.key_node,
                               Node::sequence(std::move(entries), field.value.position()));
        }
        if (!runs) {
            // Kept as definitions, after the running workflows' jobs took their names: they
            // are still checked, and a config whose workflows all stay off is no error (the
            // pipeline runs nothing, as on CircleCI).
            for (Instance& instance : instances) {
                if (!instance.approval) idle_jobs_.push_back(std::move(instance));
            }
            return std::nullopt;
        }
        for (const Instance& instance : instances) {
            if (!instance.approval) {
                add_job(instance.definition, instance.key, instance.job);
            }
        }
        out.emplace_back(workflow.key_node, Node::map(std::move(pairs), workflow.value.position()));
        return std::nullopt;
    }

    // A name no job of an earlier workflow took: two workflows may each run a job of one name
    // with other parameters, and each needs its own definition.
    std::string definition_name(const Instance& instance) const {
        if (instance.approval || used_names_.count(instance.name) == 0) return instance.name;
        for (int n = 2;; ++n) {
            std::string candidate = instance.name + "-" + std::to_string(n);
            if (used_names_.count(candidate) == 0 && library_.jobs.count(candidate) == 0) {
                return candidate;
            }
        }
    }

    Problem expand_entry(const std::string& workflow, const Node& item,
                         std::vector<Instance>& out) {
        Node key = item;
        Node options;
        if (item.is_map()) {
            if (item.pairs().size() != 1) {
                const Node& second = item.pairs().size() > 1 ? item.pairs()[1].first : item;
                return reader_.error_at(second,
                                        "a workflow job is a job name with its options under "
                                        "it; check the indentation");
            }
            key = item.pairs().front().first;
            options = item.pairs().front().second;
        } else if (!item.is_scalar()) {
            return reader_.error_at(item,
                                    "a workflow job is a job name, or a map of one job "
                                    "name to its options");
        }
        std::vector<Entry> fields;
        if (options.is_defined() && !options.is_null()) {
            if (auto problem = reader_.read_map(options, options,
                                                "workflow job " + quoted(key.text()), fields)) {
                return problem;
            }
        }
        const Entry* matrix = nullptr;
        for (const Entry& field : fields) {
            if (field.key == "matrix") matrix = &field;
        }
        if (matrix == nullptr) return expand_instance(workflow, key, fields, {}, {}, out);
        return expand_matrix(workflow, key, fields, *matrix, out);
    }

    Problem expand_matrix(const std::string& workflow, const Node& key,
                          const std::vector<Entry>& fields, const Entry& matrix,
                          std::vector<Instance>& out) {
        Node spec;
        if (auto problem = substitute(reader_, matrix.value, pipeline_only(), spec)) {
            return problem;
        }
        std::vector<Entry> matrix_fields;
        if (auto problem = reader_.read_map(spec, matrix.where(), "`matrix`", matrix_fields)) {
            return problem;
        }
        std::vector<std::pair<std::string, std::vector<Node>>> axes;
        std::vector<Node> excluded;
        std::string alias = key.text();
        for (const Entry& field : matrix_fields) {
            if (field.key == "parameters") {
                std::vector<Entry> parameters;
                if (auto problem = reader_.read_map(field, parameters)) return problem;
                for (const Entry& parameter : parameters) {
                    std::vector<Node> values;
                    if (auto problem = reader_.read_sequence(parameter, values)) return problem;
                    if (values.empty()) {
                        return reader_.error_at(
                            parameter.where(),
                            "matrix parameter " + quoted(parameter.key) + " lists no value");
                    }
                    axes.emplace_back(parameter.key, std::move(values));
                }
            } else if (field.key == "exclude") {
                if (auto problem = reader_.read_sequence(field, excluded)) return problem;
            } else if (field.key == "alias") {
                if (auto problem = reader_.read_scalar(field, alias)) return problem;
            } else {
                return reader_.unknown_key(field, "`matrix`", "parameters, exclude or alias");
            }
        }
        if (axes.empty()) {
            return reader_.error_at(matrix.key_node, "`matrix` needs `parameters`");
        }
        // Names list the values in the order of their parameters' names, as CircleCI's do.
        std::vector<std::size_t> name_order(axes.size());
        for (std::size_t i = 0; i < axes.size(); ++i) name_order[i] = i;
        std::sort(name_order.begin(), name_order.end(),
                  [&](std::size_t a, std::size_t b) { return axes[a].first < axes[b].first; });
        std::size_t combinations = 1;
        for (const auto& axis : axes) {
            combinations *= axis.second.size();
            if (combinations > kMaxJobs) {
                return reader_.error_at(matrix.key_node, "`matrix` makes more than " +
                                                             std::to_string(kMaxJobs) + " jobs");
            }
        }
        for (std::size_t n = 0; n < combinations; ++n) {
            std::map<std::string, Node> values;
            std::size_t rest = n;
            for (std::size_t i = axes.size(); i-- > 0;) {
                values[axes[i].first] = axes[i].second[rest % axes[i].second.size()];
                rest /= axes[i].second.size();
            }
            if (is_excluded(values, excluded)) continue;
            std::string name = key.text();
            for (std::size_t i : name_order) name += "-" + value_name(values[axes[i].first]);
            if (auto problem = expand_instance(workflow, key, fields, values, name, out)) {
                return problem;
            }
            out.back().alias = alias;
            MatrixOrigin origin{alias, {}};
            for (std::size_t i : name_order) {
                origin.parameters.emplace_back(axes[i].first, value_name(values[axes[i].first]));
            }
            matrices_[{workflow, out.back().name}] = std::move(origin);
        }
        return std::nullopt;
    }

    static bool is_excluded(const std::map<std::string, Node>& values,
                            const std::vector<Node>& excluded) {
        for (const Node& exclusion : excluded) {
            bool all_match = exclusion.is_map() && !exclusion.pairs().empty();
            for (const Node::Pair& pair : exclusion.pairs()) {
                const auto value = values.find(pair.first.text());
                all_match = all_match && value != values.end() &&
                            value_name(value->second) == value_name(pair.second);
            }
            if (all_match) return true;
        }
        return false;
    }

    Problem expand_instance(const std::string& workflow, const Node& key,
                            const std::vector<Entry>& fields,
                            const std::map<std::string, Node>& matrix_values,
                            const std::string& matrix_name, std::vector<Instance>& out) {
        const References references{nullptr, &pipeline_, &matrix_values};
        Instance instance;
        instance.key = key;
        instance.given_name = matrix_name.empty() ? key.text() : matrix_name;
        JobCall call;
        call.where = key;
        std::string job_reference = key.text();
        for (const auto& [name, value] : matrix_values) {
            call.arguments.push_back(Entry{name, key, value});
        }
        for (const Entry& field : fields) {
            if (field.key == "matrix") continue;
            Node value;
            if (auto problem = substitute(reader_, field.value, references, value)) {
                return problem;
            }
            if (!is_one_of(field.key, kEntryKeys)) {
                if (matrix_values.count(field.key) != 0) {
                    return reader_.error_at(field.key_node,
                                            "parameter " + quoted(field.key) +
                                                " is given by the matrix and the entry both");
                }
                call.arguments.push_back(Entry{field.key, field.key_node, value});
            } else if (field.key == "name") {
                if (auto problem =
                        reader_.read_scalar(value, field.where(), "`name`", instance.given_name)) {
                    return problem;
                }
            } else if (field.key == "pre-steps") {
                call.pre_steps = value;
            } else if (field.key == "post-steps") {
                call.post_steps = value;
            } else if (field.key == "override-with") {
                if (auto problem = override_reference(field, value, job_reference)) {
                    return problem;
                }
            } else if (field.key == "filters" && value.is_scalar()) {
                Node filters;
                if (auto problem = expression_filters(value, filters)) return problem;
                instance.options.emplace_back(field.key_node, filters);
            } else {
                if (field.key == "type" && value.text() == "approval") instance.approval = true;
                instance.options.emplace_back(field.key_node, value);
            }
        }
        instance.name = job_name_from(instance.given_name);
        if (!instance.approval) {
            const auto definition = find_definition(library_, DefinitionKind::job, job_reference);
            if (!definition) {
                const bool from_orb = key.text().find('/') != std::string::npos;
                return reader_.error_at(key, "workflow " + quoted(workflow) + " runs job " +
                                                 quoted(key.text()) +
                                                 (from_orb ? ", which no imported orb defines"
                                                           : ", which `jobs` does not define") +
                                                 did_you_mean(key.text(), defined_jobs()));
            }
            if (job_reference == key.text() && definition->library == &library_) {
                used_definitions_.insert(key.text());
            }
            if (auto problem = reuse_->instantiate_job(*definition, call, instance.job)) {
                return problem;
            }
        }
        out.push_back(std::move(instance));
        return std::nullopt;
    }

    // `filters: EXPRESSION` (expressions.h), decided here with the pipeline's values: the
    // filters of a job that runs for every branch and tag, or for none.
    Problem expression_filters(const Node& expression, Node& out) {
        bool runs = false;
        if (auto problem = evaluate_expression(reader_, expression, pipeline_, runs)) {
            return problem;
        }
        const Position at = expression.position();
        const auto rule = [&](const char* key, const char* verb) {
            return Node::Pair(
                Node::scalar(key, at),
                Node::map({Node::Pair(Node::scalar(verb, at), Node::scalar("/.*/", at, true))},
                          at));
        };
        out = runs ? Node::map({rule("branches", "only"), rule("tags", "only")}, at)
                   : Node::map({rule("branches", "ignore")}, at);
        return std::nullopt;
    }

    // The jobs a workflow may run: the config's and its orbs' (`orb/job`).
    std::vector<std::string> defined_jobs() const {
        std::vector<std::string> names;
        for (const auto& [name, body] : library_.jobs) names.push_back(name);
        for (const auto& [alias, orb] : library_.orbs) {
            for (const auto& [name, body] : orb->jobs) names.push_back(alias + "/" + name);
        }
        return names;
    }

    // `override-with: ORB/JOB` (CircleCI's config overrides): the entry runs that orb's job
    // in place of its own, under its own name and with its own parameters' values, when the
    // orb defines it; otherwise its own job, as CircleCI falls back. The orb must be imported.
    Problem override_reference(const Entry& field, const Node& value, std::string& reference) {
        std::string replacement;
        if (auto problem =
                reader_.read_scalar(value, field.where(), "`override-with`", replacement)) {
            return problem;
        }
        const auto slash = replacement.find('/');
        if (slash == std::string::npos || slash == 0 || slash + 1 == replacement.size()) {
            return reader_.error_at(field.where(),
                                    "`override-with` names an orb's job as "
                                    "ORB/JOB, not " +
                                        quoted(replacement));
        }
        const std::string orb = replacement.substr(0, slash);
        if (library_.orbs.count(orb) == 0) {
            return reader_.error_at(field.where(), "`override-with` " + quoted(replacement) +
                                                       " names orb " + quoted(orb) +
                                                       ", which `orbs` does not import");
        }
        if (find_definition(library_, DefinitionKind::job, replacement)) reference = replacement;
        return std::nullopt;
    }

    // The names a `requires` item means: the job of that name, or every job of a matrix
    // whose alias it is; as written when there is none (the workflow reader says so).
    std::vector<std::string> required_names(const std::vector<Instance>& instances,
                                            const std::string& name) {
        for (const Instance& instance : instances) {
            if (instance.given_name == name || instance.name == name) return {instance.name};
        }
        std::vector<std::string> names;
        for (const Instance& instance : instances) {
            if (instance.alias == name) names.push_back(instance.name);
        }
        if (names.empty()) names.push_back(job_name_from(name));
        return names;
    }

    Problem link_requires(const std::vector<Instance>& instances, std::vector<Node>& out) {
        for (const Instance& instance : instances) {
            std::vector<Node::Pair> options;
            for (const Node::Pair& option : instance.options) {
                if (option.first.text() != "requires" || !option.second.is_sequence()) {
                    options.push_back(option);
                    continue;
                }
                std::vector<Node> required;
                for (const Node& item : option.second.items()) {
                    if (item.is_map()) {
                        // Status qualifiers: each name linked, its statuses the reader's to read.
                        std::vector<Node::Pair> pairs;
                        for (const Node::Pair& pair : item.pairs()) {
                            if (!pair.first.is_scalar()) {
                                pairs.push_back(pair);
                                continue;
                            }
                            for (const std::string& name :
                                 required_names(instances, pair.first.text())) {
                                pairs.emplace_back(Node::scalar(name, pair.first.position()),
                                                   pair.second);
                            }
                        }
                        required.push_back(Node::map(std::move(pairs), item.position()));
                        continue;
                    }
                    if (!item.is_scalar()) {
                        required.push_back(item);  // the reader's to refuse
                        continue;
                    }
                    for (const std::string& name : required_names(instances, item.text())) {
                        required.push_back(Node::scalar(name, item.position()));
                    }
                }
                options.emplace_back(option.first,
                                     Node::sequence(std::move(required), option.second.position()));
            }
            const Node name = Node::scalar(instance.definition, instance.key.position());
            if (instance.definition != instance.name) {
                options.emplace_back(Node::scalar("name", instance.key.position()),
                                     Node::scalar(instance.name, instance.key.position()));
            }
            Node value = options.empty() ? Node::null(instance.key.position())
                                         : Node::map(std::move(options), instance.key.position());
            out.push_back(Node::map({{name, value}}, instance.key.position()));
        }
        return std::nullopt;
    }

    YamlReader& reader_;
    const ParseOptions& options_;
    MatrixOrigins& matrices_;
    std::vector<Instance> idle_jobs_;  // the jobs of workflows whose `when`/`unless` is false
    std::map<std::string, Node> pipeline_;
    Library library_;
    Reuse* reuse_ = nullptr;
    std::vector<Node::Pair> jobs_;
    std::set<std::string> used_names_;
    std::set<std::string> used_definitions_;
};

}  // namespace

Problem expand_tree(YamlReader& reader, const Node& root, const ParseOptions& options, Node& out,
                    MatrixOrigins& matrices) {
    Expander expander(reader, options, matrices);
    return expander.run(root, out);
}

}  // namespace fmg::pipeline::detail
