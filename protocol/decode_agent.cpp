// Decoding of what agents send (PROTOCOL.md 6.1), run by the coordinator.

#include "protocol/codec.h"
#include "protocol/detail/dispatch.h"

namespace fmg::protocol {
namespace {

using detail::Emptiness;
using detail::FieldReader;

AgentMessage read_hello(FieldReader& fields) {
    Hello m;
    fields.text("name", m.name, kMaxNameBytes, Emptiness::refused);
    fields.text("version", m.version, kMaxNameBytes);
    fields.unsigned32("capacity", m.capacity, 1);
    fields.text_list("labels", m.labels, kMaxNameBytes);
    fields.attempt_ids("running", m.running);
    return m;
}

AgentMessage read_heartbeat(FieldReader& fields) {
    AgentHeartbeat m;
    fields.attempt_ids("running", m.running);
    fields.unsigned32("free_slots", m.free_slots);
    fields.boolean("draining", m.draining);
    return m;
}

AgentMessage read_accepted(FieldReader& fields) {
    Accepted m;
    fields.attempt_id("attempt_id", m.attempt_id);
    return m;
}

AgentMessage read_refused(FieldReader& fields) {
    Refused m;
    fields.attempt_id("attempt_id", m.attempt_id);
    fields.text("reason", m.reason, kMaxTextBytes);
    return m;
}

AgentMessage read_step_started(FieldReader& fields) {
    StepStarted m;
    fields.attempt_id("attempt_id", m.attempt_id);
    fields.unsigned32("step_index", m.step_index);
    fields.signed64("started_at_ms", m.started_at_ms);
    return m;
}

AgentMessage read_log(FieldReader& fields) {
    Log m;
    fields.attempt_id("attempt_id", m.attempt_id);
    fields.unsigned64("seq", m.seq, 1);
    fields.binary("data", m.data, kMaxLogChunkBytes);
    return m;
}

AgentMessage read_step_finished(FieldReader& fields) {
    StepFinished m;
    fields.attempt_id("attempt_id", m.attempt_id);
    fields.unsigned32("step_index", m.step_index);
    fields.enumeration("outcome", m.outcome, detail::kStepOutcomeNames);
    fields.signed32("exit_code", m.exit_code);
    fields.signed64("finished_at_ms", m.finished_at_ms);
    return m;
}

AgentMessage read_job_finished(FieldReader& fields) {
    JobFinished m;
    fields.attempt_id("attempt_id", m.attempt_id);
    fields.enumeration("outcome", m.outcome, detail::kJobOutcomeNames);
    fields.text("error", m.error, kMaxTextBytes);
    fields.unsigned64("last_seq", m.last_seq);
    fields.signed64("finished_at_ms", m.finished_at_ms);
    return m;
}

AgentMessage read_goodbye(FieldReader& fields) {
    Goodbye m;
    fields.text("reason", m.reason, kMaxTextBytes);
    return m;
}

AgentMessage read_upload(FieldReader& fields) {
    Upload m;
    fields.attempt_id("attempt_id", m.attempt_id);
    fields.unsigned64("upload_id", m.upload_id, 1);
    fields.unsigned64("offset", m.offset);
    fields.binary("data", m.data, kMaxLogChunkBytes);
    return m;
}

AgentMessage read_fetch(FieldReader& fields) {
    Fetch m;
    fields.attempt_id("attempt_id", m.attempt_id);
    fields.unsigned64("fetch_id", m.fetch_id, 1);
    fields.sha256("sha256", m.sha256);
    fields.unsigned64("offset", m.offset);
    fields.unsigned32("length", m.length, 1);
    if (fields.ok() && m.length > kMaxLogChunkBytes) {
        fields.fail("length", "is more than " + std::to_string(kMaxLogChunkBytes));
    }
    return m;
}

AgentMessage read_upload_end(FieldReader& fields) {
    UploadEnd m;
    fields.attempt_id("attempt_id", m.attempt_id);
    fields.unsigned64("upload_id", m.upload_id, 1);
    fields.enumeration("kind", m.kind, detail::kUploadKindNames);
    fields.text("path", m.path, kMaxTextBytes, Emptiness::refused);
    fields.unsigned64("size", m.size);
    fields.sha256("sha256", m.sha256);
    return m;
}

/// A cache's name as a step renders it: 1..kMaxCacheKeyBytes, printable (no control bytes).
void check_cache_key(FieldReader& fields, std::string_view key, const std::string& value) {
    if (!fields.ok()) return;
    if (value.empty() || value.size() > kMaxCacheKeyBytes) {
        fields.fail(key, "must be 1.." + std::to_string(kMaxCacheKeyBytes) + " bytes");
        return;
    }
    for (unsigned char c : value) {
        if (c < 0x20 || c == 0x7f) {
            fields.fail(key, "must not hold control characters");
            return;
        }
    }
}

AgentMessage read_cache_find(FieldReader& fields) {
    CacheFind m;
    fields.attempt_id("attempt_id", m.attempt_id);
    fields.unsigned64("request_id", m.request_id, 1);
    fields.text_list("keys", m.keys, kMaxCacheKeyBytes);
    fields.boolean("exact", m.exact);
    if (fields.ok() && (m.keys.empty() || (m.exact && m.keys.size() != 1))) {
        fields.fail("keys", m.exact ? "must hold exactly one key when exact" : "must not be empty");
    }
    for (size_t i = 0; i < m.keys.size() && fields.ok(); ++i) {
        check_cache_key(fields, "keys[" + std::to_string(i) + "]", m.keys[i]);
    }
    return m;
}

AgentMessage read_cache_save(FieldReader& fields) {
    CacheSave m;
    fields.attempt_id("attempt_id", m.attempt_id);
    fields.unsigned64("request_id", m.request_id, 1);
    fields.text("key", m.key, kMaxCacheKeyBytes);
    check_cache_key(fields, "key", m.key);
    fields.positive_ids("upload_ids", m.upload_ids);
    if (fields.ok() && m.upload_ids.empty()) fields.fail("upload_ids", "must not be empty");
    return m;
}

constexpr std::array<detail::MessageDecoder<AgentMessage>, 14> kAgentDecoders{{
    {"hello", read_hello},
    {"heartbeat", read_heartbeat},
    {"accepted", read_accepted},
    {"refused", read_refused},
    {"step_started", read_step_started},
    {"log", read_log},
    {"step_finished", read_step_finished},
    {"job_finished", read_job_finished},
    {"goodbye", read_goodbye},
    {"upload", read_upload},
    {"upload_end", read_upload_end},
    {"fetch", read_fetch},
    {"cache_find", read_cache_find},
    {"cache_save", read_cache_save},
}};

constexpr detail::Direction<9> kCoordinatorReceives{
    "coordinator",
    "agent",
    {"welcome", "reject", "assign", "ack", "cancel", "upload_ack", "upload_done", "fetch_data",
     "cache_answer"}};

}  // namespace

Result<AgentMessage> decode_agent_message(std::string_view frame) {
    auto envelope = detail::open_envelope(frame);
    if (!envelope) return envelope.error();
    if (auto version = detail::check_version(envelope->version, "coordinator"); !version) {
        return version.error();
    }
    return detail::decode_fields(*envelope, kAgentDecoders, kCoordinatorReceives);
}

}  // namespace fmg::protocol
