#include "shared/pipeline/wire_fit.h"

#include <array>
#include <string>

#include "shared/pipeline/builtin_variables.h"
#include "shared/pipeline/constants.h"
#include "shared/pipeline/text.h"
#include "shared/wire_limits.h"

namespace fmg::pipeline::detail {

namespace {

static_assert(kMaxNodeNameBytes <= wire::kMaxNameBytes, "job and node names must fit the protocol");
static_assert(kMaxStepsPerJob <= wire::kMaxListItems, "a job's steps must fit the protocol");

// The largest msgpack encoding of an integer field (a uint64 or int64: marker and 8 bytes).
constexpr std::size_t kIntegerBytes = 9;

// The field names of `assign` and of one of its steps on the wire (PROTOCOL.md 6.2), for
// their share of the frame. tests/unit/coordinator/assign_bound_test.cpp checks the bound
// against protocol/'s real encoder, so a field added there without one here fails a test.
constexpr std::array<std::string_view, 15> kAssignKeys{
    "v",        "type",           "attempt_id",   "pipeline_id",
    "job_name", "repo_url",       "ref",          "sha",
    "image",    "services",       "environment",  "working_directory",
    "steps",    "job_timeout_ms", "image_options"};
constexpr std::array<std::string_view, 7> kImageOptionKeys{
    "name", "entrypoint", "command", "user", "environment", "auth_username", "auth_password"};
constexpr std::array<std::string_view, 18> kStepKeys{"kind",
                                                     "name",
                                                     "command",
                                                     "environment",
                                                     "working_directory",
                                                     "no_output_timeout_ms",
                                                     "when",
                                                     "shell",
                                                     "background",
                                                     "max_auto_reruns",
                                                     "auto_rerun_delay_ms",
                                                     "paths",
                                                     "destination",
                                                     "root",
                                                     "at",
                                                     "layers",
                                                     "keys",
                                                     "fingerprints"};
// msgpack: true or false.
constexpr std::size_t kBooleanBytes = 1;
constexpr std::string_view kAssignType = "assign";
constexpr std::string_view kLongestStepKind = "persist_to_workspace";
constexpr std::string_view kLongestStepWhen = "on_success";

// msgpack: the header of a str of `length` bytes (fixstr, str8, str16, str32).
std::size_t str_header(std::size_t length) {
    if (length < 32) return 1;
    if (length < 256) return 2;
    if (length < 65536) return 3;
    return 5;
}

std::size_t str_bytes(std::size_t length) {
    return str_header(length) + length;
}

// msgpack: the header of an array or map of `count` items (fix, 16, 32).
std::size_t container_header(std::size_t count) {
    if (count < 16) return 1;
    if (count < 65536) return 3;
    return 5;
}

template <std::size_t N>
std::size_t keys_bytes(const std::array<std::string_view, N>& keys) {
    std::size_t total = container_header(N);
    for (std::string_view key : keys) total += str_bytes(key.size());
    return total;
}

std::size_t entries_bytes(const Environment& environment) {
    std::size_t total = 0;
    for (const auto& [name, value] : environment) {
        total += str_bytes(name.size()) + str_bytes(value.size());
    }
    return total;
}

std::size_t environment_bytes(const Environment& environment) {
    return container_header(environment.size()) + entries_bytes(environment);
}

// The job's environment as the assign carries it: the job's variables and the built-in ones
// (builtin_variables.h), each at its longest, counted as if no name were in both.
std::size_t job_environment_bytes(const Job& job) {
    std::size_t total = container_header(job.environment.size() + kBuiltinVariables.size()) +
                        entries_bytes(job.environment);
    for (const BuiltinVariable& variable : kBuiltinVariables) {
        const std::size_t value = variable.max_value_bytes == kJobWorkingDirectory
                                      ? job.working_directory.size()
                                      : variable.max_value_bytes;
        total += str_bytes(variable.name.size()) + str_bytes(value);
    }
    return total;
}

// The command of the Secrets step a job may begin with (coordinator/domain/job_spec.cpp) has
// at most this many bytes.
constexpr std::size_t kMaxSecretsStepCommandBytes = 512;

std::size_t list_bytes(const std::vector<std::string>& items) {
    std::size_t total = container_header(items.size());
    for (const std::string& item : items) total += str_bytes(item.size());
    return total;
}

// One image in `assign`: its reference (in `image` or `services`) and its `image_options`.
std::size_t image_bytes(const ImageSpec& image) {
    return str_bytes(image.image.size()) + keys_bytes(kImageOptionKeys) +
           str_bytes(image.name.size()) + list_bytes(image.entrypoint) + list_bytes(image.command) +
           str_bytes(image.user.size()) + environment_bytes(image.environment) +
           str_bytes(image.auth.username.size()) + str_bytes(image.auth.password.size());
}

std::size_t step_bytes(const Step& step) {
    return keys_bytes(kStepKeys) + str_bytes(kLongestStepKind.size()) +
           str_bytes(step.name.size()) + str_bytes(step.command.size()) +
           environment_bytes(step.environment) + str_bytes(step.working_directory.size()) +
           kIntegerBytes + str_bytes(kLongestStepWhen.size()) + str_bytes(step.shell.size()) +
           kBooleanBytes + 2 * kIntegerBytes + list_bytes(step.files.paths) +
           str_bytes(step.files.destination.size()) + str_bytes(step.files.root.size()) +
           str_bytes(step.files.at.size()) + list_bytes({}) + list_bytes(step.files.keys) +
           list_bytes(step.fingerprints);
}

std::string describe_bytes(std::size_t bytes) {
    if (bytes % (1024 * 1024) == 0) return std::to_string(bytes / (1024 * 1024)) + " MiB";
    if (bytes % 1024 == 0) return std::to_string(bytes / 1024) + " KiB";
    return std::to_string(bytes) + " bytes";
}

}  // namespace

Problem check_wire_bytes(YamlReader& reader, const Node& at, std::string_view what,
                         std::string_view text, std::size_t max_bytes,
                         std::string_view limit_name) {
    if (text.size() <= max_bytes) return std::nullopt;
    return reader.error_at(at, std::string(what) + " is " + std::to_string(text.size()) +
                                   " bytes; the agent protocol allows at most " +
                                   std::to_string(max_bytes) + " (" + describe_bytes(max_bytes) +
                                   ", " + std::string(limit_name) + ")");
}

Problem check_wire_count(YamlReader& reader, const Node& at, std::string_view what,
                         std::size_t count, std::size_t max_items, std::string_view limit_name) {
    if (count <= max_items) return std::nullopt;
    return reader.error_at(at, std::string(what) + " has " + std::to_string(count) +
                                   " entries; the agent protocol allows at most " +
                                   std::to_string(max_items) + " (" + std::string(limit_name) +
                                   ")");
}

std::size_t assign_frame_bound(const Job& job) {
    std::size_t total = keys_bytes(kAssignKeys);
    total += kIntegerBytes;                       // v
    total += str_bytes(kAssignType.size());       // type
    total += 2 * kIntegerBytes;                   // attempt_id, pipeline_id
    total += str_bytes(kMaxNodeNameBytes);        // job_name
    total += str_bytes(wire::kMaxTextBytes);      // repo_url
    total += 2 * str_bytes(wire::kMaxNameBytes);  // ref, sha
    total += kIntegerBytes;                       // job_timeout_ms
    total += image_bytes(job.image);
    total += container_header(job.services.size()) + container_header(job.services.size() + 1);
    for (const ImageSpec& service : job.services) total += image_bytes(service);
    total += job_environment_bytes(job);
    total += str_bytes(job.working_directory.size());
    total += container_header(job.steps.size());
    for (const Step& step : job.steps) total += step_bytes(step);
    // A job naming contexts begins with the Secrets step (coordinator/domain/job_spec.cpp): its
    // command and a note naming the contexts. (Contexts come from the workflow entry, after the
    // definition was checked; whether the repository has secrets, which gives every job the
    // step too, and the secrets' names and values come at dispatch: a job filling its frame
    // to the byte ends at the coordinator's own check before sending, clearly.)
    if (!job.contexts.empty()) {
        total += step_bytes(Step{}) + str_bytes(kMaxSecretsStepCommandBytes) +
                 str_bytes(kMaxContexts * (kMaxContextNameBytes + 2)) + str_bytes(16);
    }
    return total;
}

Problem check_assign_fits(YamlReader& reader, const Node& at, const Job& job) {
    const std::size_t bound = assign_frame_bound(job);
    if (bound <= wire::kMaxFrameBytes) return std::nullopt;
    return reader.error_at(
        at, "job " + quoted(job.name) + " is too large to send to a runner: its assign message " +
                "would take up to " + std::to_string(bound) +
                " bytes, and the agent protocol allows at most " +
                std::to_string(wire::kMaxFrameBytes) + " (8 MiB, kMaxFrameBytes) per frame; " +
                "split its steps over several jobs");
}

}  // namespace fmg::pipeline::detail
