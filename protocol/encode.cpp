// Encoders of every message (PROTOCOL.md 3 and 6): the envelope first, then each field by
// name. REQUIRED fields are always all written, so a receiver of the same version finds each
// one; an OPTIONAL field only when it has a value.

#include <variant>

#include "protocol/codec.h"
#include "protocol/detail/map_writer.h"
#include "protocol/detail/wire_names.h"

namespace fmg::protocol {
namespace {

using detail::MapWriter;

void write_fields(MapWriter& out, const Hello& m) {
    out.text("name", m.name);
    out.text("version", m.version);
    out.unsigned_integer("capacity", m.capacity);
    out.text_list("labels", m.labels);
    out.integer_list("running", m.running);
}

void write_fields(MapWriter& out, const AgentHeartbeat& m) {
    out.integer_list("running", m.running);
    out.unsigned_integer("free_slots", m.free_slots);
    out.boolean("draining", m.draining);
}

void write_fields(MapWriter& out, const Accepted& m) {
    out.signed_integer("attempt_id", m.attempt_id);
}

void write_fields(MapWriter& out, const Refused& m) {
    out.signed_integer("attempt_id", m.attempt_id);
    out.text("reason", m.reason);
}

void write_fields(MapWriter& out, const StepStarted& m) {
    out.signed_integer("attempt_id", m.attempt_id);
    out.unsigned_integer("step_index", m.step_index);
    out.signed_integer("started_at_ms", m.started_at_ms);
}

void write_fields(MapWriter& out, const Log& m) {
    out.signed_integer("attempt_id", m.attempt_id);
    out.unsigned_integer("seq", m.seq);
    out.binary("data", m.data);
}

void write_fields(MapWriter& out, const StepFinished& m) {
    out.signed_integer("attempt_id", m.attempt_id);
    out.unsigned_integer("step_index", m.step_index);
    out.text("outcome", detail::wire_name(m.outcome, detail::kStepOutcomeNames));
    out.signed_integer("exit_code", m.exit_code);
    out.signed_integer("finished_at_ms", m.finished_at_ms);
}

void write_fields(MapWriter& out, const JobFinished& m) {
    out.signed_integer("attempt_id", m.attempt_id);
    out.text("outcome", detail::wire_name(m.outcome, detail::kJobOutcomeNames));
    out.text("error", m.error);
    out.unsigned_integer("last_seq", m.last_seq);
    out.signed_integer("finished_at_ms", m.finished_at_ms);
}

void write_fields(MapWriter& out, const Goodbye& m) {
    out.text("reason", m.reason);
}

void write_fields(MapWriter& out, const Upload& m) {
    out.signed_integer("attempt_id", m.attempt_id);
    out.unsigned_integer("upload_id", m.upload_id);
    out.unsigned_integer("offset", m.offset);
    out.binary("data", m.data);
}

void write_fields(MapWriter& out, const UploadEnd& m) {
    out.signed_integer("attempt_id", m.attempt_id);
    out.unsigned_integer("upload_id", m.upload_id);
    out.text("kind", detail::wire_name(m.kind, detail::kUploadKindNames));
    out.text("path", m.path);
    out.unsigned_integer("size", m.size);
    out.text("sha256", m.sha256);
}

void write_fields(MapWriter& out, const Fetch& m) {
    out.signed_integer("attempt_id", m.attempt_id);
    out.unsigned_integer("fetch_id", m.fetch_id);
    out.text("sha256", m.sha256);
    out.unsigned_integer("offset", m.offset);
    out.unsigned_integer("length", m.length);
}

void write_fields(MapWriter& out, const FetchData& m) {
    out.signed_integer("attempt_id", m.attempt_id);
    out.unsigned_integer("fetch_id", m.fetch_id);
    out.unsigned_integer("offset", m.offset);
    out.unsigned_integer("size", m.size);
    out.binary("data", m.data);
    out.text("error", m.error);
}

void write_fields(MapWriter& out, const CacheFind& m) {
    out.signed_integer("attempt_id", m.attempt_id);
    out.unsigned_integer("request_id", m.request_id);
    out.text_list("keys", m.keys);
    out.boolean("exact", m.exact);
}

void write_fields(MapWriter& out, const CacheSave& m) {
    out.signed_integer("attempt_id", m.attempt_id);
    out.unsigned_integer("request_id", m.request_id);
    out.text("key", m.key);
    out.unsigned_list("upload_ids", m.upload_ids);
}

void write_fields(MapWriter& out, const CacheAnswer& m) {
    out.signed_integer("attempt_id", m.attempt_id);
    out.unsigned_integer("request_id", m.request_id);
    out.text("key", m.key);
    std::vector<std::string> parts;
    parts.reserve(m.parts.size());
    for (const auto& part : m.parts) {
        MapWriter item;
        item.text("path", part.path);
        item.text("sha256", part.sha256);
        item.unsigned_integer("size", part.size);
        parts.push_back(item.finish());
    }
    out.map_list("parts", parts);
    out.boolean("existed", m.existed);
    out.text("error", m.error);
}

void write_fields(MapWriter& out, const UploadAck& m) {
    out.signed_integer("attempt_id", m.attempt_id);
    out.unsigned_integer("upload_id", m.upload_id);
    out.unsigned_integer("received", m.received);
}

void write_fields(MapWriter& out, const UploadDone& m) {
    out.signed_integer("attempt_id", m.attempt_id);
    out.unsigned_integer("upload_id", m.upload_id);
    out.text("error", m.error);
}

void write_fields(MapWriter& out, const Welcome& m) {
    out.signed_integer("runner_id", m.runner_id);
    out.unsigned_integer("heartbeat_interval_ms", m.heartbeat_interval_ms);
    out.unsigned_integer("agent_timeout_ms", m.agent_timeout_ms);
}

void write_fields(MapWriter& out, const Reject& m) {
    out.text("code", detail::wire_name(m.code, detail::kRejectCodeNames));
    out.text("reason", m.reason);
}

void write_fields(MapWriter&, const CoordinatorHeartbeat&) {}

std::string encode_step(const StepSpec& step) {
    MapWriter out;
    out.text("kind", detail::wire_name(step.kind, detail::kStepKindNames));
    out.text("name", step.name);
    out.text("command", step.command);
    out.environment("environment", step.environment);
    out.text("working_directory", step.working_directory);
    out.unsigned_integer("no_output_timeout_ms", step.no_output_timeout_ms);
    out.text("when", detail::wire_name(step.when, detail::kStepWhenNames));
    out.text("shell", step.shell);
    out.boolean("background", step.background);
    out.unsigned_integer("max_auto_reruns", step.max_auto_reruns);
    out.unsigned_integer("auto_rerun_delay_ms", step.auto_rerun_delay_ms);
    out.text_list("paths", step.paths);
    out.text("destination", step.destination);
    out.text("root", step.root);
    out.text("at", step.at);
    out.text_list("layers", step.layers);
    out.text_list("keys", step.keys);
    out.text_list("fingerprints", step.fingerprints);
    return out.finish();
}

std::string encode_image_options(const ImageOptions& options) {
    MapWriter out;
    out.text("name", options.name);
    out.text_list("entrypoint", options.entrypoint);
    out.text_list("command", options.command);
    out.text("user", options.user);
    out.environment("environment", options.environment);
    out.text("auth_username", options.auth_username);
    out.text("auth_password", options.auth_password);
    return out.finish();
}

void write_fields(MapWriter& out, const Assign& m) {
    out.signed_integer("attempt_id", m.attempt_id);
    out.signed_integer("pipeline_id", m.pipeline_id);
    out.text("job_name", m.job_name);
    out.text("repo_url", m.repo_url);
    out.text("ref", m.ref);
    out.text("sha", m.sha);
    out.text("image", m.image);
    out.text_list("services", m.services);
    out.environment("environment", m.environment);
    out.text("working_directory", m.working_directory);
    std::vector<std::string> steps;
    steps.reserve(m.steps.size());
    for (const auto& step : m.steps) steps.push_back(encode_step(step));
    out.map_list("steps", steps);
    out.unsigned_integer("job_timeout_ms", m.job_timeout_ms);
    // OPTIONAL (PROTOCOL.md 6.2): written only for a job that has secrets.
    if (!m.secrets.empty()) out.environment("secrets", m.secrets);
    // OPTIONAL (PROTOCOL.md 6.2): written when there are options, as the coordinator's always
    // are, one per image.
    if (m.image_options.empty()) return;
    std::vector<std::string> image_options;
    image_options.reserve(m.image_options.size());
    for (const auto& options : m.image_options) {
        image_options.push_back(encode_image_options(options));
    }
    out.map_list("image_options", image_options);
}

void write_fields(MapWriter& out, const Ack& m) {
    out.signed_integer("attempt_id", m.attempt_id);
    out.unsigned_integer("seq", m.seq);
}

void write_fields(MapWriter& out, const Cancel& m) {
    out.signed_integer("attempt_id", m.attempt_id);
    out.text("reason", m.reason);
}

/// The frame of any one message: {v, type, fields...}.
template <typename Message>
std::string encode_frame(const Message& message) {
    MapWriter out;
    out.unsigned_integer("v", kProtocolVersion);
    out.text("type", detail::wire_type(message));
    write_fields(out, message);
    return out.finish();
}

}  // namespace

std::string encode(const AgentMessage& message) {
    return std::visit([](const auto& m) { return encode_frame(m); }, message);
}

std::string encode(const CoordinatorMessage& message) {
    return std::visit([](const auto& m) { return encode_frame(m); }, message);
}

std::string_view type_name(const AgentMessage& message) {
    return std::visit([](const auto& m) { return detail::wire_type(m); }, message);
}

std::string_view type_name(const CoordinatorMessage& message) {
    return std::visit([](const auto& m) { return detail::wire_type(m); }, message);
}

}  // namespace fmg::protocol
