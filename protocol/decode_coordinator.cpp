// Decoding of what the coordinator sends (PROTOCOL.md 6.2), run by agents.

#include "protocol/codec.h"
#include "protocol/detail/dispatch.h"

namespace fmg::protocol {
namespace {

using detail::Emptiness;
using detail::FieldReader;

CoordinatorMessage read_welcome(FieldReader& fields) {
    Welcome m;
    fields.signed64("runner_id", m.runner_id);
    fields.unsigned32("heartbeat_interval_ms", m.heartbeat_interval_ms, 1);
    fields.unsigned32("agent_timeout_ms", m.agent_timeout_ms, 1);
    if (fields.ok() && m.agent_timeout_ms < m.heartbeat_interval_ms) {
        fields.fail("agent_timeout_ms", "must be at least heartbeat_interval_ms (" +
                                            std::to_string(m.heartbeat_interval_ms) + ")");
    }
    return m;
}

CoordinatorMessage read_reject(FieldReader& fields) {
    Reject m;
    // `code` is OPTIONAL and its values open (PROTOCOL.md 6.2): a reject without one (from an
    // older coordinator) or with a code this build does not know still decodes, as `other`,
    // which ends the agent as every reject did before codes.
    if (fields.has("code")) {
        std::string code;
        fields.text("code", code, kMaxNameBytes);
        m.code =
            detail::parse_wire_name(code, detail::kRejectCodeNames).value_or(RejectCode::other);
    }
    fields.text("reason", m.reason, kMaxTextBytes);
    return m;
}

CoordinatorMessage read_heartbeat(FieldReader&) {
    return CoordinatorHeartbeat{};
}

void read_step(FieldReader& fields, StepSpec& step) {
    fields.enumeration("kind", step.kind, detail::kStepKindNames);
    fields.text("name", step.name, kMaxTextBytes);
    fields.text("command", step.command, kMaxTextBytes);
    fields.environment("environment", step.environment);
    fields.text("working_directory", step.working_directory, kMaxTextBytes);
    fields.unsigned32("no_output_timeout_ms", step.no_output_timeout_ms);
    fields.enumeration("when", step.when, detail::kStepWhenNames);
    // OPTIONAL (PROTOCOL.md 6.2): added after version 1's first steps, absent from an older
    // coordinator's assign.
    if (fields.has("shell")) fields.text("shell", step.shell, kMaxTextBytes);
    if (fields.has("background")) fields.boolean("background", step.background);
    if (fields.has("max_auto_reruns")) fields.unsigned32("max_auto_reruns", step.max_auto_reruns);
    if (fields.has("auto_rerun_delay_ms")) {
        fields.unsigned32("auto_rerun_delay_ms", step.auto_rerun_delay_ms);
    }
    if (fields.has("paths")) fields.text_list("paths", step.paths, kMaxTextBytes);
    if (fields.has("destination")) fields.text("destination", step.destination, kMaxTextBytes);
    if (fields.has("root")) fields.text("root", step.root, kMaxTextBytes);
    if (fields.has("at")) fields.text("at", step.at, kMaxTextBytes);
    if (fields.has("layers")) fields.text_list("layers", step.layers, 64);
    for (const std::string& layer : step.layers) {
        if (!fields.ok()) break;
        if (!detail::is_sha256_hex(layer)) {
            fields.fail("layers", "must hold SHA-256 digests (64 lowercase hexadecimal digits)");
        }
    }
    if (fields.has("keys")) fields.text_list("keys", step.keys, kMaxTextBytes);
    if (fields.has("fingerprints")) {
        fields.text_list("fingerprints", step.fingerprints, kMaxTextBytes);
    }
    if (fields.ok() && step.kind == StepKind::save_cache &&
        (step.keys.size() != 1 || step.keys.front().empty() || step.paths.empty())) {
        fields.fail("keys",
                    "must hold one key, and paths at least one path, for a save_cache step");
    }
    if (fields.ok() && step.kind == StepKind::restore_cache && step.keys.empty()) {
        fields.fail("keys", "must hold at least one key for a restore_cache step");
    }
    if (fields.ok() && step.kind == StepKind::persist_to_workspace &&
        (step.root.empty() || step.paths.empty())) {
        fields.fail("paths", "and root must be set for a persist_to_workspace step");
    }
    if (fields.ok() && step.kind == StepKind::attach_workspace && step.at.empty()) {
        fields.fail("at", "must be set for an attach_workspace step");
    }
    if (fields.ok() &&
        (step.kind == StepKind::store_artifacts || step.kind == StepKind::store_test_results) &&
        (step.paths.size() != 1 || step.paths.front().empty())) {
        fields.fail("paths", "must hold one non-empty path for a " +
                                 std::string(detail::wire_name(step.kind, detail::kStepKindNames)) +
                                 " step");
    }
    if (step.max_auto_reruns > kMaxAutoReruns) {
        fields.fail("max_auto_reruns", "is more than " + std::to_string(kMaxAutoReruns));
    }
    if (step.auto_rerun_delay_ms > kMaxAutoRerunDelayMs) {
        fields.fail("auto_rerun_delay_ms",
                    "is more than " + std::to_string(kMaxAutoRerunDelayMs) + " (10 minutes)");
    }
}

void read_image_options(FieldReader& fields, ImageOptions& options) {
    fields.text("name", options.name, kMaxNameBytes);
    fields.text_list("entrypoint", options.entrypoint, kMaxTextBytes);
    fields.text_list("command", options.command, kMaxTextBytes);
    fields.text("user", options.user, kMaxNameBytes);
    fields.environment("environment", options.environment);
    fields.text("auth_username", options.auth_username, kMaxNameBytes);
    fields.text("auth_password", options.auth_password, kMaxTextBytes);
}

CoordinatorMessage read_assign(FieldReader& fields) {
    Assign m;
    fields.attempt_id("attempt_id", m.attempt_id);
    fields.signed64("pipeline_id", m.pipeline_id);
    fields.text("job_name", m.job_name, kMaxNameBytes, Emptiness::refused);
    fields.text("repo_url", m.repo_url, kMaxTextBytes);
    fields.text("ref", m.ref, kMaxNameBytes);
    fields.text("sha", m.sha, kMaxNameBytes);
    fields.text("image", m.image, kMaxNameBytes);
    fields.text_list("services", m.services, kMaxNameBytes);
    fields.environment("environment", m.environment);
    fields.text("working_directory", m.working_directory, kMaxTextBytes);
    fields.map_list("steps", m.steps, read_step);
    fields.unsigned32("job_timeout_ms", m.job_timeout_ms);
    if (fields.has("secrets")) fields.environment("secrets", m.secrets);
    // OPTIONAL (coordinators older than it send none): one map per image, or none at all.
    if (fields.has("image_options")) {
        fields.map_list("image_options", m.image_options, read_image_options);
        if (fields.ok() && m.image_options.size() != m.services.size() + 1) {
            fields.fail("image_options",
                        "must have one item per image: " + std::to_string(m.services.size() + 1) +
                            " (the primary and each service), not " +
                            std::to_string(m.image_options.size()));
        }
    }
    return m;
}

CoordinatorMessage read_ack(FieldReader& fields) {
    Ack m;
    fields.attempt_id("attempt_id", m.attempt_id);
    fields.unsigned64("seq", m.seq);
    return m;
}

CoordinatorMessage read_cancel(FieldReader& fields) {
    Cancel m;
    fields.attempt_id("attempt_id", m.attempt_id);
    fields.text("reason", m.reason, kMaxTextBytes);
    return m;
}

CoordinatorMessage read_upload_ack(FieldReader& fields) {
    UploadAck m;
    fields.attempt_id("attempt_id", m.attempt_id);
    fields.unsigned64("upload_id", m.upload_id, 1);
    fields.unsigned64("received", m.received);
    return m;
}

CoordinatorMessage read_upload_done(FieldReader& fields) {
    UploadDone m;
    fields.attempt_id("attempt_id", m.attempt_id);
    fields.unsigned64("upload_id", m.upload_id, 1);
    fields.text("error", m.error, kMaxTextBytes);
    return m;
}

CoordinatorMessage read_fetch_data(FieldReader& fields) {
    FetchData m;
    fields.attempt_id("attempt_id", m.attempt_id);
    fields.unsigned64("fetch_id", m.fetch_id, 1);
    fields.unsigned64("offset", m.offset);
    fields.unsigned64("size", m.size);
    fields.binary("data", m.data, kMaxLogChunkBytes);
    fields.text("error", m.error, kMaxTextBytes);
    return m;
}

void read_cache_part(FieldReader& fields, CachePart& part) {
    fields.text("path", part.path, kMaxTextBytes, Emptiness::refused);
    fields.sha256("sha256", part.sha256);
    fields.unsigned64("size", part.size);
}

CoordinatorMessage read_cache_answer(FieldReader& fields) {
    CacheAnswer m;
    fields.attempt_id("attempt_id", m.attempt_id);
    fields.unsigned64("request_id", m.request_id, 1);
    fields.text("key", m.key, kMaxCacheKeyBytes);
    fields.map_list("parts", m.parts, read_cache_part);
    fields.boolean("existed", m.existed);
    fields.text("error", m.error, kMaxTextBytes);
    return m;
}

constexpr std::array<detail::MessageDecoder<CoordinatorMessage>, 10> kCoordinatorDecoders{{
    {"welcome", read_welcome},
    {"reject", read_reject},
    {"heartbeat", read_heartbeat},
    {"assign", read_assign},
    {"ack", read_ack},
    {"cancel", read_cancel},
    {"upload_ack", read_upload_ack},
    {"upload_done", read_upload_done},
    {"fetch_data", read_fetch_data},
    {"cache_answer", read_cache_answer},
}};

constexpr detail::Direction<13> kAgentReceives{
    "agent",
    "coordinator",
    {"hello", "accepted", "refused", "step_started", "log", "step_finished", "job_finished",
     "goodbye", "upload", "upload_end", "fetch", "cache_find", "cache_save"}};

}  // namespace

Result<CoordinatorMessage> decode_coordinator_message(std::string_view frame) {
    auto envelope = detail::open_envelope(frame);
    if (!envelope) return envelope.error();
    // A reject's layout never changes (PROTOCOL.md 6.2), so an agent of any version can
    // show why it was refused.
    if (envelope->type != "reject") {
        if (auto version = detail::check_version(envelope->version, "agent"); !version) {
            return version.error();
        }
    }
    return detail::decode_fields(*envelope, kCoordinatorDecoders, kAgentReceives);
}

}  // namespace fmg::protocol
