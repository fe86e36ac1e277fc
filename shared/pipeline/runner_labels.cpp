#include "shared/pipeline/runner_labels.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "shared/host_names.h"
#include "shared/pipeline/text.h"

namespace fmg::pipeline::detail {

namespace {

// The keys that run a job on a runner's host instead of in a docker image; each is also the
// label a runner needs to take such a job.
bool is_host_executor(std::string_view key) {
    return key == "machine" || key == "macos" || key == "windows";
}

void add_label(Job& job, const std::string& label) {
    if (std::find(job.labels.begin(), job.labels.end(), label) == job.labels.end()) {
        job.labels.push_back(label);
    }
}

/// `true` (when `true_allowed`), or a map whose one key is `allowed_key` (`image`, `xcode`)
/// with a scalar value that fmg reads but does not use: the runner's host is what it is.
Problem read_host_executor(YamlReader& reader, const Entry& field, const std::string& job_name,
                           bool true_allowed, const std::string& allowed_key) {
    const std::string what = quoted(field.key) + " in job " + quoted(job_name);
    if (field.value.is_map()) {
        std::vector<Entry> keys;
        if (auto problem = reader.read_map(field, keys)) return problem;
        for (const Entry& key : keys) {
            if (key.key != allowed_key) return reader.unknown_key(key, what, allowed_key);
            std::string unused;
            if (auto problem = reader.read_scalar(key, unused)) return problem;
        }
        return std::nullopt;
    }
    std::string text;
    if (true_allowed && field.value.is_scalar() && !reader.read_scalar(field, text) &&
        text == "true") {
        return std::nullopt;
    }
    return reader.error_at(field.where(), what + " must be " + (true_allowed ? "`true` or " : "") +
                                              "a map with `" + allowed_key + "`");
}

Problem read_resource_class(YamlReader& reader, const Entry& field, Job& job) {
    std::string name;
    if (auto problem = reader.read_scalar(field, name)) return problem;
    // The class is a label a runner must carry; one no runner could be given would leave the
    // job queued for ever.
    if (auto problem = runner_label_problem(name)) {
        return reader.error_at(field.where(), "`resource_class` of job " + quoted(job.name) +
                                                  " must be a runner label: " + *problem);
    }
    add_label(job, name);
    return std::nullopt;
}

}  // namespace

Problem read_runner_labels(YamlReader& reader, const Entry& definition,
                           const std::vector<Entry>& fields, Job& job) {
    const Entry* docker = nullptr;
    const Entry* host_executor = nullptr;  // the first of machine, macos, windows
    for (const Entry& field : fields) {
        Problem problem;
        if (field.key == "docker") {
            docker = &field;
        } else if (field.key == "resource_class") {
            problem = read_resource_class(reader, field, job);
        } else if (is_host_executor(field.key)) {
            if (host_executor != nullptr) {
                return reader.error_at(field.key_node, "job " + quoted(job.name) + " has both " +
                                                           quoted(host_executor->key) + " and " +
                                                           quoted(field.key) + "; choose one");
            }
            host_executor = &field;
            problem = read_host_executor(reader, field, job.name, field.key != "macos",
                                         field.key == "macos" ? "xcode" : "image");
            if (!problem) {
                // Its label comes first: the runner's kind, then its size.
                std::erase(job.labels, field.key);
                job.labels.insert(job.labels.begin(), field.key);
            }
        }
        if (problem) return problem;
    }
    if (docker != nullptr && host_executor != nullptr) {
        return reader.error_at(host_executor->key_node,
                               "job " + quoted(job.name) + " has both `docker` and " +
                                   quoted(host_executor->key) +
                                   "; a job runs either in docker images or on a runner's host");
    }
    if (docker == nullptr && host_executor == nullptr) {
        return reader.error_at(definition.key_node,
                               "job " + quoted(job.name) +
                                   " has no `docker` image to run its steps in (nor `machine`)");
    }
    return std::nullopt;
}

}  // namespace fmg::pipeline::detail
