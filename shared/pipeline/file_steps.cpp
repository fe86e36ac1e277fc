#include "shared/pipeline/file_steps.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "shared/pipeline/steps.h"
#include "shared/pipeline/text.h"
#include "shared/pipeline/wire_fit.h"
#include "shared/wire_limits.h"

namespace fmg::pipeline::detail {

namespace {

struct FileStepType {
    std::string_view name;
    StepKind kind;
    std::string_view default_name;  // shown when the step has no `name`
    std::string_view keys;          // its keys besides `name`, for messages
};

constexpr FileStepType kTypes[] = {
    {"save_cache", StepKind::save_cache, "Saving cache", "key, paths, when"},
    {"restore_cache", StepKind::restore_cache, "Restoring cache", "key, keys"},
    {"persist_to_workspace", StepKind::persist_to_workspace, "Persisting to workspace",
     "root, paths"},
    {"attach_workspace", StepKind::attach_workspace, "Attaching workspace", "at"},
    {"store_artifacts", StepKind::store_artifacts, "Uploading artifacts", "path, destination"},
    {"store_test_results", StepKind::store_test_results, "Uploading test results", "path"},
    {"setup_remote_docker", StepKind::setup_remote_docker, "Setup a remote Docker engine",
     "version, docker_layer_caching, prefer_same_region"},
    {"add_ssh_keys", StepKind::add_ssh_keys, "Add SSH keys", "fingerprints"},
};

const FileStepType* find_type(std::string_view name) {
    const auto* found = std::find_if(std::begin(kTypes), std::end(kTypes),
                                     [&](const FileStepType& type) { return type.name == name; });
    return found == std::end(kTypes) ? nullptr : found;
}

Problem read_text(YamlReader& reader, const Entry& entry, std::string& out) {
    if (auto problem = reader.read_scalar(entry, out)) return problem;
    if (trim(out).empty()) return reader.error_at(entry.where(), quoted(entry.key) + " is empty");
    return check_wire_bytes(reader, entry.where(), quoted(entry.key), out, wire::kMaxTextBytes,
                            "kMaxTextBytes");
}

Problem read_texts(YamlReader& reader, const Entry& entry, std::vector<std::string>& out) {
    std::vector<Node> nodes;
    if (auto problem = reader.read_string_list(entry, out, nodes)) return problem;
    if (out.empty()) return reader.error_at(entry.where(), quoted(entry.key) + " lists nothing");
    if (auto problem = check_wire_count(reader, entry.where(), quoted(entry.key), out.size(),
                                        wire::kMaxListItems, "kMaxListItems")) {
        return problem;
    }
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (trim(out[i]).empty())
            return reader.error_at(nodes[i], "an empty item in " + quoted(entry.key));
        if (auto problem = check_wire_bytes(reader, nodes[i], quoted(entry.key), out[i],
                                            wire::kMaxTextBytes, "kMaxTextBytes")) {
            return problem;
        }
    }
    return std::nullopt;
}

// One key of the step; `seen` marks the required ones found.
Problem read_field(YamlReader& reader, const FileStepType& type, const Entry& field, Step& out) {
    FileStep& files = out.files;
    const StepKind kind = type.kind;
    if (field.key == "name") return read_text(reader, field, out.name);
    if (field.key == "when" && kind == StepKind::save_cache) {
        return read_step_when(reader, field, out.when);
    }
    if (field.key == "key" && (kind == StepKind::save_cache || kind == StepKind::restore_cache)) {
        files.keys.emplace_back();
        return read_text(reader, field, files.keys.back());
    }
    if (field.key == "keys" && kind == StepKind::restore_cache) {
        std::vector<std::string> keys;
        if (auto problem = read_texts(reader, field, keys)) return problem;
        files.keys.insert(files.keys.end(), keys.begin(), keys.end());
        return std::nullopt;
    }
    if (field.key == "paths" &&
        (kind == StepKind::save_cache || kind == StepKind::persist_to_workspace)) {
        return read_texts(reader, field, files.paths);
    }
    // restore_cache ignores `paths` (projects write it; CircleCI restores where it saved).
    if (field.key == "paths" && kind == StepKind::restore_cache) return std::nullopt;
    if (field.key == "root" && kind == StepKind::persist_to_workspace) {
        return read_text(reader, field, files.root);
    }
    if (field.key == "at" && kind == StepKind::attach_workspace) {
        return read_text(reader, field, files.at);
    }
    if (field.key == "path" &&
        (kind == StepKind::store_artifacts || kind == StepKind::store_test_results)) {
        files.paths.emplace_back();
        return read_text(reader, field, files.paths.back());
    }
    if (field.key == "destination" && kind == StepKind::store_artifacts) {
        return read_text(reader, field, files.destination);
    }
    if ((field.key == "version" || field.key == "docker_layer_caching" ||
         field.key == "prefer_same_region") &&
        kind == StepKind::setup_remote_docker) {
        return std::nullopt;  // the runner's engine is what it is
    }
    if (field.key == "fingerprints" && kind == StepKind::add_ssh_keys) {
        return read_texts(reader, field, out.fingerprints);
    }
    return reader.unknown_key(field, "a " + quoted(type.name) + " step",
                              "name, " + std::string(type.keys));
}

Problem check_required(YamlReader& reader, const Entry& step, const Step& out) {
    const FileStep& files = out.files;
    const auto missing = [&](std::string_view what) {
        return reader.error_at(step.key_node, quoted(step.key) + " needs " + std::string(what));
    };
    switch (out.kind) {
        case StepKind::save_cache:
            if (files.keys.empty()) return missing("a `key`");
            if (files.paths.empty()) return missing("`paths`");
            break;
        case StepKind::restore_cache:
            if (files.keys.empty()) return missing("a `key` or `keys`");
            break;
        case StepKind::persist_to_workspace:
            if (files.root.empty()) return missing("a `root`");
            if (files.paths.empty()) return missing("`paths`");
            break;
        case StepKind::attach_workspace:
            if (files.at.empty()) return missing("`at`");
            break;
        case StepKind::store_artifacts:
        case StepKind::store_test_results:
            if (files.paths.empty()) return missing("a `path`");
            break;
        default:
            break;
    }
    return std::nullopt;
}

}  // namespace

bool is_file_step(std::string_view type) {
    return find_type(type) != nullptr;
}

std::vector<std::string> file_step_types() {
    std::vector<std::string> types;
    for (const FileStepType& type : kTypes) types.emplace_back(type.name);
    return types;
}

Problem read_file_step(YamlReader& reader, const Entry& step, Step& out) {
    const FileStepType* type = find_type(step.key);
    out.kind = type->kind;
    if (step.value.is_defined() && !step.value.is_null()) {
        std::vector<Entry> fields;
        if (auto problem = reader.read_map(step, fields)) return problem;
        for (const Entry& field : fields) {
            if (auto problem = read_field(reader, *type, field, out)) return problem;
        }
    }
    if (auto problem = check_required(reader, step, out)) return problem;
    if (out.name.empty()) out.name = std::string(type->default_name);
    return std::nullopt;
}

}  // namespace fmg::pipeline::detail
