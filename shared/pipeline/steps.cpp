#include "shared/pipeline/steps.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "shared/pipeline/constants.h"
#include "shared/pipeline/durations.h"
#include "shared/pipeline/environment.h"
#include "shared/pipeline/file_steps.h"
#include "shared/pipeline/text.h"
#include "shared/pipeline/wire_fit.h"
#include "shared/wire_limits.h"

namespace fmg::pipeline::detail {

namespace {

constexpr std::string_view kCheckoutName = "Checkout code";
constexpr std::string_view kStepShapes = "`checkout`, `run: COMMAND` or `run:` with a map";

ParseError unsupported_step(YamlReader& reader, const Node& at, std::string_view type) {
    return reader.error_at(at, "unknown step " + quoted(type) + did_you_mean(type, step_types()) +
                                   " (CircleCI's steps are checkout, run, deploy, the cache, "
                                   "workspace, artifact and test result steps, "
                                   "setup_remote_docker and add_ssh_keys; commands and orbs "
                                   "need `version: 2.1`)");
}

Problem read_nonblank(YamlReader& reader, const Entry& entry, std::string& out) {
    if (auto problem = reader.read_scalar(entry, out)) return problem;
    if (trim(out).empty()) return reader.error_at(entry.where(), quoted(entry.key) + " is empty");
    // A command, step name or working directory goes to the agent as a str of the assign.
    return check_wire_bytes(reader, entry.where(), quoted(entry.key), out, wire::kMaxTextBytes,
                            "kMaxTextBytes");
}

Problem read_no_output_timeout(YamlReader& reader, const Entry& entry, Step& out) {
    std::string text;
    if (auto problem = reader.read_scalar(entry, text)) return problem;
    auto duration = parse_duration_ms(text);
    if (!duration) return reader.error_at(entry.where(), duration.error().message);
    const int64_t max_ms = std::chrono::milliseconds(kMaxNoOutputTimeout).count();
    if (*duration <= 0 || *duration > max_ms) {
        return reader.error_at(entry.where(), "no_output_timeout must be more than 0 and at most " +
                                                  std::to_string(kMaxNoOutputTimeout.count()) +
                                                  "h");
    }
    out.no_output_timeout_ms = *duration;
    return std::nullopt;
}

Problem read_background(YamlReader& reader, const Entry& entry, Step& out) {
    std::string text;
    if (auto problem = reader.read_scalar(entry, text)) return problem;
    if (text == "true" || text == "True" || text == "TRUE") {
        out.background = true;
    } else if (text == "false" || text == "False" || text == "FALSE") {
        out.background = false;
    } else {
        return reader.error_at(entry.where(),
                               "`background` must be true or false, not " + quoted(text));
    }
    return std::nullopt;
}

Problem read_max_auto_reruns(YamlReader& reader, const Entry& entry, Step& out) {
    std::string text;
    if (auto problem = reader.read_scalar(entry, text)) return problem;
    const bool digits =
        !text.empty() && text.size() <= 3 &&
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    const int value = digits ? std::stoi(text) : -1;
    if (value < 1 || value > static_cast<int>(wire::kMaxAutoReruns)) {
        return reader.error_at(entry.where(),
                               "`max_auto_reruns` must be a whole number from 1 to " +
                                   std::to_string(wire::kMaxAutoReruns) + ", not " + quoted(text));
    }
    out.max_auto_reruns = value;
    return std::nullopt;
}

// CircleCI writes the delay with `s` or `m` ("10s", "3m"); the other units of a duration
// are read too, within the same 10 minutes.
Problem read_auto_rerun_delay(YamlReader& reader, const Entry& entry, Step& out) {
    std::string text;
    if (auto problem = reader.read_scalar(entry, text)) return problem;
    auto duration = parse_duration_ms(text);
    if (!duration) return reader.error_at(entry.where(), duration.error().message);
    if (*duration > static_cast<int64_t>(wire::kMaxAutoRerunDelayMs)) {
        return reader.error_at(entry.where(),
                               "`auto_rerun_delay` must be at most 10m, not " + quoted(text));
    }
    out.auto_rerun_delay_ms = *duration;
    return std::nullopt;
}

Problem read_run_field(YamlReader& reader, const Entry& field, Step& out) {
    if (field.key == "command") return read_nonblank(reader, field, out.command);
    if (field.key == "name") return read_nonblank(reader, field, out.name);
    if (field.key == "environment") return read_environment(reader, field, out.environment);
    if (field.key == "working_directory") {
        return read_nonblank(reader, field, out.working_directory);
    }
    if (field.key == "no_output_timeout") return read_no_output_timeout(reader, field, out);
    if (field.key == "when") return read_step_when(reader, field, out.when);
    if (field.key == "shell") return read_nonblank(reader, field, out.shell);
    if (field.key == "background") return read_background(reader, field, out);
    if (field.key == "max_auto_reruns") return read_max_auto_reruns(reader, field, out);
    if (field.key == "auto_rerun_delay") return read_auto_rerun_delay(reader, field, out);
    return reader.unknown_key(field, "a run step",
                              "command, name, shell, environment, background, "
                              "working_directory, no_output_timeout, when, max_auto_reruns or "
                              "auto_rerun_delay");
}

// The keys that only make sense together, or not together.
Problem check_run_fields(YamlReader& reader, const Entry& run, const std::vector<Entry>& fields,
                         const Step& out) {
    const Entry* delay = nullptr;
    const Entry* reruns = nullptr;
    for (const Entry& field : fields) {
        if (field.key == "auto_rerun_delay") delay = &field;
        if (field.key == "max_auto_reruns") reruns = &field;
    }
    if (delay != nullptr && reruns == nullptr) {
        return reader.error_at(delay->key_node,
                               "`auto_rerun_delay` needs `max_auto_reruns` in the same run step");
    }
    if (reruns != nullptr && out.background) {
        // A background step's end is not waited for, so there is no failure to rerun on.
        return reader.error_at(reruns->key_node,
                               "a `background: true` step is not rerun: `max_auto_reruns` has "
                               "no place in it");
    }
    if (out.command.empty()) {
        return reader.error_at(run.where(), "a run step needs a `command`");
    }
    return std::nullopt;
}

Problem read_run(YamlReader& reader, const Entry& run, Step& out) {
    out.kind = StepKind::run;
    if (run.value.is_scalar()) {
        if (auto problem = read_nonblank(reader, run, out.command)) return problem;
    } else {
        if (run.value.is_null()) {
            return reader.error_at(run.key_node, "`run` needs a command");
        }
        std::vector<Entry> fields;
        if (auto problem = reader.read_map(run, fields)) return problem;
        for (const Entry& field : fields) {
            if (auto problem = read_run_field(reader, field, out)) return problem;
        }
        if (auto problem = check_run_fields(reader, run, fields, out)) return problem;
    }
    if (out.name.empty()) {
        out.name = truncate_utf8(first_line(out.command), kMaxDefaultStepNameBytes);
    }
    return std::nullopt;
}

// A checkout `path`: where the code goes, under the job's working directory (the agent's
// workspace is mounted there, and nothing outside it is the job's).
Problem read_checkout_path(YamlReader& reader, const Entry& field, Step& out) {
    if (auto problem = read_nonblank(reader, field, out.working_directory)) return problem;
    const std::string& path = out.working_directory;
    bool escapes = path.front() == '/' || path.front() == '~';
    std::size_t begin = 0;
    while (begin <= path.size()) {
        const std::size_t end = std::min(path.find('/', begin), path.size());
        if (path.compare(begin, end - begin, "..") == 0) escapes = true;
        begin = end + 1;
    }
    if (escapes) {
        return reader.error_at(field.where(),
                               "checkout `path` must be relative to the job's working_directory "
                               "and stay under it (no `..`), not " +
                                   quoted(path));
    }
    return std::nullopt;
}

Problem read_checkout(YamlReader& reader, const Entry& checkout, Step& out) {
    out.kind = StepKind::checkout;
    out.name = std::string(kCheckoutName);
    if (checkout.value.is_null()) return std::nullopt;
    std::vector<Entry> fields;
    if (auto problem = reader.read_map(checkout, fields)) return problem;
    for (const Entry& field : fields) {
        if (field.key == "path") {
            if (auto problem = read_checkout_path(reader, field, out)) return problem;
        } else if (field.key == "method") {
            // blobless or full: how CircleCI clones; fmg's agents fetch into a mirror and
            // check out from it either way.
            std::string method;
            if (auto problem = reader.read_scalar(field, method)) return problem;
            if (method != "blobless" && method != "full") {
                return reader.error_at(
                    field.where(),
                    "checkout `method` must be blobless or full, not " + quoted(method));
            }
        } else {
            return reader.unknown_key(field, "a checkout step", "path or method");
        }
    }
    return std::nullopt;
}

}  // namespace

Problem read_step_when(YamlReader& reader, const Entry& entry, StepWhen& out) {
    std::string text;
    if (auto problem = reader.read_scalar(entry, text)) return problem;
    if (text == "on_success") {
        out = StepWhen::on_success;
    } else if (text == "on_fail") {
        out = StepWhen::on_fail;
    } else if (text == "always") {
        out = StepWhen::always;
    } else {
        return reader.error_at(entry.where(),
                               "`when` must be on_success, on_fail or always, not " + quoted(text));
    }
    return std::nullopt;
}

bool is_step_type(std::string_view type) {
    return type == "checkout" || type == "run" || type == "deploy" || is_file_step(type);
}

std::vector<std::string> step_types() {
    std::vector<std::string> types{"checkout", "run", "deploy"};
    for (std::string& type : file_step_types()) types.push_back(std::move(type));
    return types;
}

Problem read_step(YamlReader& reader, const Node& node, Step& out) {
    out = Step{};
    if (node.is_scalar()) {
        const std::string& type = node.text();
        if (type == "checkout")
            return read_checkout(reader, Entry{type, node, Node::null(node.position())}, out);
        if (type == "run") return reader.error_at(node, "`run` needs a command");
        if (is_file_step(type)) {
            return read_file_step(reader, Entry{type, node, Node::null(node.position())}, out);
        }
        return unsupported_step(reader, node, type);
    }
    if (!node.is_map()) {
        return reader.error_at(node, "a step must be " + std::string(kStepShapes));
    }
    std::vector<Entry> entries;
    if (auto problem = reader.read_map(node, node, "a step", entries)) return problem;
    if (entries.empty())
        return reader.error_at(node, "empty step; expected " + std::string(kStepShapes));
    if (entries.size() > 1) {
        return reader.error_at(entries[1].key_node,
                               "a step has a single key, its type (" + quoted(entries[0].key) +
                                   "); " + quoted(entries[1].key) +
                                   " belongs under it (check the indentation)");
    }
    const Entry& step = entries.front();
    if (step.key == "checkout") return read_checkout(reader, step, out);
    // `deploy` is CircleCI's old name for a run step.
    if (step.key == "run" || step.key == "deploy") return read_run(reader, step, out);
    if (is_file_step(step.key)) return read_file_step(reader, step, out);
    return unsupported_step(reader, step.key_node, step.key);
}

}  // namespace fmg::pipeline::detail
