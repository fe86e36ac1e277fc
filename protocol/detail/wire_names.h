#pragma once
// The strings that stand for message types and enum values on the wire (PROTOCOL.md 6).

#include <array>
#include <optional>
#include <string_view>

#include "protocol/messages.h"

namespace fmg::protocol::detail {

/// The wire type of each message struct; the two heartbeats share one name.
constexpr std::string_view wire_type(const Hello&) {
    return "hello";
}
constexpr std::string_view wire_type(const AgentHeartbeat&) {
    return "heartbeat";
}
constexpr std::string_view wire_type(const Accepted&) {
    return "accepted";
}
constexpr std::string_view wire_type(const Refused&) {
    return "refused";
}
constexpr std::string_view wire_type(const StepStarted&) {
    return "step_started";
}
constexpr std::string_view wire_type(const Log&) {
    return "log";
}
constexpr std::string_view wire_type(const StepFinished&) {
    return "step_finished";
}
constexpr std::string_view wire_type(const JobFinished&) {
    return "job_finished";
}
constexpr std::string_view wire_type(const Goodbye&) {
    return "goodbye";
}
constexpr std::string_view wire_type(const Upload&) {
    return "upload";
}
constexpr std::string_view wire_type(const UploadEnd&) {
    return "upload_end";
}
constexpr std::string_view wire_type(const Fetch&) {
    return "fetch";
}
constexpr std::string_view wire_type(const FetchData&) {
    return "fetch_data";
}
constexpr std::string_view wire_type(const CacheFind&) {
    return "cache_find";
}
constexpr std::string_view wire_type(const CacheSave&) {
    return "cache_save";
}
constexpr std::string_view wire_type(const CacheAnswer&) {
    return "cache_answer";
}
constexpr std::string_view wire_type(const UploadAck&) {
    return "upload_ack";
}
constexpr std::string_view wire_type(const UploadDone&) {
    return "upload_done";
}
constexpr std::string_view wire_type(const Welcome&) {
    return "welcome";
}
constexpr std::string_view wire_type(const Reject&) {
    return "reject";
}
constexpr std::string_view wire_type(const CoordinatorHeartbeat&) {
    return "heartbeat";
}
constexpr std::string_view wire_type(const Assign&) {
    return "assign";
}
constexpr std::string_view wire_type(const Ack&) {
    return "ack";
}
constexpr std::string_view wire_type(const Cancel&) {
    return "cancel";
}

/// One enum value and its wire string.
template <typename Enum>
struct WireName {
    Enum value;
    std::string_view name;
};

inline constexpr std::array<WireName<StepOutcome>, 4> kStepOutcomeNames{{
    {StepOutcome::success, "success"},
    {StepOutcome::failed, "failed"},
    {StepOutcome::error, "error"},
    {StepOutcome::cancelled, "cancelled"},
}};

inline constexpr std::array<WireName<JobOutcome>, 4> kJobOutcomeNames{{
    {JobOutcome::success, "success"},
    {JobOutcome::failed, "failed"},
    {JobOutcome::error, "error"},
    {JobOutcome::cancelled, "cancelled"},
}};

inline constexpr std::array<WireName<StepKind>, 10> kStepKindNames{{
    {StepKind::checkout, "checkout"},
    {StepKind::run, "run"},
    {StepKind::setup_remote_docker, "setup_remote_docker"},
    {StepKind::store_artifacts, "store_artifacts"},
    {StepKind::persist_to_workspace, "persist_to_workspace"},
    {StepKind::attach_workspace, "attach_workspace"},
    {StepKind::store_test_results, "store_test_results"},
    {StepKind::save_cache, "save_cache"},
    {StepKind::restore_cache, "restore_cache"},
    {StepKind::add_ssh_keys, "add_ssh_keys"},
}};

inline constexpr std::array<WireName<UploadKind>, 4> kUploadKindNames{{
    {UploadKind::artifact, "artifact"},
    {UploadKind::workspace_layer, "workspace_layer"},
    {UploadKind::test_results, "test_results"},
    {UploadKind::cache_part, "cache_part"},
}};

inline constexpr std::array<WireName<StepWhen>, 3> kStepWhenNames{{
    {StepWhen::on_success, "on_success"},
    {StepWhen::on_fail, "on_fail"},
    {StepWhen::always, "always"},
}};

inline constexpr std::array<WireName<RejectCode>, 6> kRejectCodeNames{{
    {RejectCode::no_session, "no_session"},
    {RejectCode::unknown_runner, "unknown_runner"},
    {RejectCode::revoked, "revoked"},
    {RejectCode::replaced, "replaced"},
    {RejectCode::invalid_frame, "invalid_frame"},
    {RejectCode::other, "other"},
}};

/// The wire string of `value`; every enum value is in its table (checked by the tests).
template <typename Enum, size_t N>
constexpr std::string_view wire_name(Enum value, const std::array<WireName<Enum>, N>& names) {
    for (const auto& entry : names) {
        if (entry.value == value) return entry.name;
    }
    return names[0].name;
}

/// The enum value spelled `name` on the wire, or nothing for an unknown string.
template <typename Enum, size_t N>
constexpr std::optional<Enum> parse_wire_name(std::string_view name,
                                              const std::array<WireName<Enum>, N>& names) {
    for (const auto& entry : names) {
        if (entry.name == name) return entry.value;
    }
    return std::nullopt;
}

}  // namespace fmg::protocol::detail
