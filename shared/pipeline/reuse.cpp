#include "shared/pipeline/reuse.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "shared/pipeline/constants.h"
#include "shared/pipeline/logic.h"
#include "shared/pipeline/steps.h"
#include "shared/pipeline/substitution.h"
#include "shared/pipeline/text.h"

namespace fmg::pipeline::detail {

namespace {

// Commands call commands; a bound stops one that calls itself.
constexpr int kMaxCommandDepth = 16;

// The keys an executor gives the job that uses it.
constexpr std::string_view kExecutorKeys[] = {
    "docker", "machine",           "macos",      "windows", "resource_class",
    "shell",  "working_directory", "environment"};

bool is_executor_key(std::string_view key) {
    return std::find(std::begin(kExecutorKeys), std::end(kExecutorKeys), key) !=
           std::end(kExecutorKeys);
}

// The `name: value` pairs of an `environment` written as a map, a list of `NAME=value` or a
// list of one-key maps; nothing when it is none of these (the job reader then says why).
bool environment_pairs(const Node& environment, std::vector<Node::Pair>& out) {
    if (environment.is_map()) {
        out = environment.pairs();
        return true;
    }
    if (!environment.is_sequence()) return false;
    for (const Node& item : environment.items()) {
        if (item.is_map() && item.pairs().size() == 1) {
            out.push_back(item.pairs().front());
        } else if (item.is_scalar() && item.text().find('=') != std::string::npos) {
            const auto equals = item.text().find('=');
            out.emplace_back(Node::scalar(item.text().substr(0, equals), item.position()),
                             Node::scalar(item.text().substr(equals + 1), item.position()));
        } else {
            return false;
        }
    }
    return true;
}

// `base` with `over`'s variables on top, as one map; nothing when either is malformed.
Node merge_environments(const Node& base, const Node& over) {
    std::vector<Node::Pair> merged;
    std::vector<Node::Pair> overriding;
    if (!environment_pairs(base, merged) || !environment_pairs(over, overriding)) return over;
    for (const Node::Pair& pair : overriding) {
        const auto same = std::find_if(merged.begin(), merged.end(), [&](const Node::Pair& p) {
            return p.first.text() == pair.first.text();
        });
        if (same != merged.end()) {
            same->second = pair.second;
        } else {
            merged.push_back(pair);
        }
    }
    return Node::map(std::move(merged), over.position());
}

// `definition`'s pairs without the keys that only describe it.
Node body_of(const Node& definition) {
    std::vector<Node::Pair> pairs;
    for (const Node::Pair& pair : definition.pairs()) {
        const std::string& key = pair.first.text();
        if (key == "parameters" || key == "description") continue;
        pairs.push_back(pair);
    }
    return Node::map(std::move(pairs), definition.position());
}

}  // namespace

Reuse::Reuse(YamlReader& reader, const Library& config, const std::map<std::string, Node>& pipeline)
    : reader_(reader), config_(config), pipeline_(pipeline) {}

Problem Reuse::bind(const Node& definition, const std::vector<Entry>& arguments, const Node& where,
                    const std::string& what, Bindings& out) {
    std::vector<ParameterSpec> specs;
    const Node declared = definition.find("parameters");
    if (declared.is_defined() && !declared.is_null()) {
        Entry entry{"parameters", declared, declared};
        for (const Node::Pair& pair : definition.pairs()) {
            if (pair.first.text() == "parameters") entry.key_node = pair.first;
        }
        if (auto problem = read_parameter_specs(reader_, entry, specs)) return problem;
    }
    if (auto problem = bind_parameters(reader_, specs, arguments, where, what, out)) {
        return problem;
    }
    // Defaults may be pipeline values: put them in, then check their type.
    const References pipeline{nullptr, &pipeline_, nullptr};
    for (const ParameterSpec& spec : specs) {
        Node& value = out[spec.name];
        if (!value.is_scalar() || value.text().find("<<") == std::string::npos) continue;
        Node replaced;
        if (auto problem = substitute(reader_, value, pipeline, replaced)) return problem;
        if (auto problem = check_value(reader_, spec, replaced,
                                       "the default of parameter " + quoted(spec.name), value)) {
            return problem;
        }
    }
    return std::nullopt;
}

Problem Reuse::instantiate(const Node& definition, const std::vector<Entry>& arguments,
                           const Node& where, const std::string& what, Node& body) {
    Bindings bindings;
    if (auto problem = bind(definition, arguments, where, what, bindings)) return problem;
    return substitute(reader_, body_of(definition), {&bindings, &pipeline_, nullptr}, body);
}

Problem Reuse::instantiate_job(const Definition& job, const JobCall& call, Node& out) {
    if (!job.body.is_map()) {
        return reader_.error_at(job.body.is_defined() ? job.body : call.where,
                                "job " + quoted(job.full_name) + " must be a map");
    }
    const std::string what = "job " + quoted(job.full_name);
    Node body;
    if (auto problem = instantiate(job.body, call.arguments, call.where, what, body)) {
        return problem;
    }

    Node executor;
    const Node executor_value = body.find("executor");
    if (executor_value.is_defined()) {
        if (auto problem = resolve_executor(executor_value, *job.library, executor)) {
            return problem;
        }
    }
    std::vector<Node> steps;
    if (call.pre_steps.is_defined()) {
        if (auto problem = expand_steps(call.pre_steps, config_, 0, steps)) return problem;
    }
    const Node own_steps = body.find("steps");
    if (own_steps.is_defined()) {
        if (auto problem = expand_steps(own_steps, *job.library, 0, steps)) return problem;
    }
    if (call.post_steps.is_defined()) {
        if (auto problem = expand_steps(call.post_steps, config_, 0, steps)) return problem;
    }

    std::vector<Node::Pair> pairs;
    // The executor's keys first, unless the job writes them itself.
    for (const Node::Pair& pair : executor.pairs()) {
        const std::string& key = pair.first.text();
        if (body.find(key).is_defined() && key != "environment") continue;
        if (key == "environment" && body.find(key).is_defined()) {
            pairs.emplace_back(pair.first, merge_environments(pair.second, body.find(key)));
            continue;
        }
        pairs.push_back(pair);
    }
    for (const Node::Pair& pair : body.pairs()) {
        const std::string& key = pair.first.text();
        if (key == "executor") continue;
        if (key == "environment" && executor.find(key).is_defined()) continue;
        if (key == "steps") {
            pairs.emplace_back(pair.first,
                               Node::sequence(std::move(steps), pair.second.position()));
            continue;
        }
        pairs.push_back(pair);
    }
    out = Node::map(std::move(pairs), job.body.position());
    return std::nullopt;
}

Problem Reuse::resolve_executor(const Node& value, const Library& library, Node& out) {
    std::string name;
    std::vector<Entry> arguments;
    if (value.is_scalar()) {
        name = trim(value.text());
    } else if (value.is_map()) {
        for (const Node::Pair& pair : value.pairs()) {
            if (pair.first.text() == "name") {
                if (auto problem = reader_.read_scalar(pair.second, pair.first, "`name`", name)) {
                    return problem;
                }
            } else {
                arguments.push_back(Entry{pair.first.text(), pair.first, pair.second});
            }
        }
    }
    if (name.empty()) {
        return reader_.error_at(value,
                                "`executor` is an executor's name, or a map with its "
                                "`name` and its parameters' values");
    }
    auto found = find_definition(library, DefinitionKind::executor, name);
    // An executor passed in by name may be the config's, given to an orb's job.
    if (!found && &library != &config_) {
        found = find_definition(config_, DefinitionKind::executor, name);
    }
    if (!found) {
        return reader_.error_at(value, "unknown executor " + quoted(name) +
                                           " (define it under `executors`, or import the orb "
                                           "that has it)");
    }
    if (!found->body.is_map()) {
        return reader_.error_at(value, "executor " + quoted(name) + " must be a map");
    }
    Node body;
    if (auto problem =
            instantiate(found->body, arguments, value, "executor " + quoted(name), body)) {
        return problem;
    }
    for (const Node::Pair& pair : body.pairs()) {
        if (!is_executor_key(pair.first.text())) {
            return reader_.unknown_key(Entry{pair.first.text(), pair.first, pair.second},
                                       "executor " + quoted(name),
                                       "docker, machine, macos, windows, resource_class, shell, "
                                       "working_directory, environment or parameters");
        }
    }
    out = body;
    return std::nullopt;
}

Problem Reuse::expand_steps(const Node& steps, const Library& library, int depth,
                            std::vector<Node>& out) {
    if (steps.is_null()) return std::nullopt;
    if (!steps.is_sequence()) {
        return reader_.error_at(steps, "`steps` must be a list of steps");
    }
    for (const Node& step : steps.items()) {
        if (auto problem = reader_.visit(step)) return problem;
        // `- << parameters.steps >>` puts a whole list where one step was.
        Problem problem = step.is_sequence() ? expand_steps(step, library, depth, out)
                                             : expand_step(step, library, depth, out);
        if (problem) return problem;
        if (out.size() > kMaxStepsPerJob) {
            return reader_.error_at(
                step, "a job expands to more than " + std::to_string(kMaxStepsPerJob) + " steps");
        }
    }
    return std::nullopt;
}

Problem Reuse::expand_step(const Node& step, const Library& library, int depth,
                           std::vector<Node>& out) {
    if (step.is_scalar()) {
        if (is_step_type(step.text())) {
            out.push_back(step);
            return std::nullopt;
        }
        return call_command(step, step.text(), Node(), library, depth, out);
    }
    if (!step.is_map() || step.pairs().size() != 1) {
        out.push_back(step);  // the step reader says what is wrong with it
        return std::nullopt;
    }
    const Node::Pair& pair = step.pairs().front();
    const std::string& type = pair.first.text();
    if (type == "steps") {
        // `- steps: << parameters.more >>`: a list of steps where one step was.
        return expand_steps(pair.second, library, depth, out);
    }
    if (type == "when" || type == "unless") {
        return expand_conditional(step, Entry{type, pair.first, pair.second}, library, depth, out);
    }
    if (is_step_type(type)) {
        out.push_back(step);
        return std::nullopt;
    }
    return call_command(pair.first, type, pair.second, library, depth, out);
}

Problem Reuse::expand_conditional(const Node& step, const Entry& conditional,
                                  const Library& library, int depth, std::vector<Node>& out) {
    std::vector<Entry> fields;
    if (auto problem = reader_.read_map(conditional, fields)) return problem;
    const Entry* condition = nullptr;
    const Entry* steps = nullptr;
    for (const Entry& field : fields) {
        if (field.key == "condition") {
            condition = &field;
        } else if (field.key == "steps") {
            steps = &field;
        } else {
            return reader_.unknown_key(field, "a " + quoted(conditional.key) + " step",
                                       "condition and steps");
        }
    }
    if (condition == nullptr || steps == nullptr) {
        return reader_.error_at(
            step, "a " + quoted(conditional.key) + " step needs a `condition` and `steps`");
    }
    bool holds = false;
    if (auto problem = evaluate_logic(reader_, condition->value, nullptr, holds)) return problem;
    if (holds != (conditional.key == "when")) return std::nullopt;
    return expand_steps(steps->value, library, depth, out);
}

// What a step may be called in `library`: CircleCI's steps, `when`/`unless`, its commands
// and its orbs' (`orb/command`), for "did you mean".
static std::vector<std::string> step_names(const Library& library) {
    std::vector<std::string> names = step_types();
    names.insert(names.end(), {"when", "unless"});
    for (const auto& [name, body] : library.commands) names.push_back(name);
    for (const auto& [alias, orb] : library.orbs) {
        for (const auto& [name, body] : orb->commands) names.push_back(alias + "/" + name);
    }
    return names;
}

Problem Reuse::call_command(const Node& step, const std::string& name, const Node& arguments,
                            const Library& library, int depth, std::vector<Node>& out) {
    const auto found = find_definition(library, DefinitionKind::command, name);
    if (!found) {
        const bool from_orb = name.find('/') != std::string::npos;
        return reader_.error_at(
            step, "unknown step " + quoted(name) + did_you_mean(name, step_names(library)) +
                      (from_orb ? " (no orb imported under `orbs` defines this command)"
                                : " (steps are checkout, run, the other CircleCI steps, "
                                  "`when`/`unless`, or a command defined under `commands`)"));
    }
    if (depth >= kMaxCommandDepth) {
        return reader_.error_at(step, "commands call commands more than " +
                                          std::to_string(kMaxCommandDepth) + " levels deep (does " +
                                          quoted(name) + " call itself?)");
    }
    if (!found->body.is_map()) {
        return reader_.error_at(step, "command " + quoted(name) + " must be a map");
    }
    std::vector<Entry> values;
    if (arguments.is_defined() && !arguments.is_null()) {
        if (auto problem = reader_.read_map(arguments, arguments,
                                            "the arguments of command " + quoted(name), values)) {
            return problem;
        }
    }
    Node body;
    if (auto problem = instantiate(found->body, values, step, "command " + quoted(name), body)) {
        return problem;
    }
    for (const Node::Pair& pair : body.pairs()) {
        if (pair.first.text() != "steps") {
            return reader_.unknown_key(Entry{pair.first.text(), pair.first, pair.second},
                                       "command " + quoted(name),
                                       "steps, parameters or description");
        }
    }
    const Node steps = body.find("steps");
    if (!steps.is_defined()) {
        return reader_.error_at(step, "command " + quoted(name) + " has no `steps`");
    }
    return expand_steps(steps, *found->library, depth + 1, out);
}

}  // namespace fmg::pipeline::detail
