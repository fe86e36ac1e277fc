// Every message survives encode -> decode unchanged, and the bytes on the wire are the ones
// PROTOCOL.md describes.

#include <catch2/catch.hpp>
#include <limits>

#include "protocol/codec.h"
#include "raw_frames.h"
#include "samples.h"

using namespace fmg;
using namespace fmg::protocol;
using namespace fmg::protocol::testing;

namespace {

AgentMessage agent_round_trip(const AgentMessage& message) {
    auto decoded = decode_agent_message(encode(message));
    INFO(type_name(message) << ": " << (decoded ? "" : decoded.error().message));
    REQUIRE(decoded.ok());
    return *decoded;
}

CoordinatorMessage coordinator_round_trip(const CoordinatorMessage& message) {
    auto decoded = decode_coordinator_message(encode(message));
    INFO(type_name(message) << ": " << (decoded ? "" : decoded.error().message));
    REQUIRE(decoded.ok());
    return *decoded;
}

}  // namespace

TEST_CASE("every agent message round-trips with its field values", "[protocol][codec]") {
    for (const AgentMessage& message : sample_agent_messages()) {
        CHECK(agent_round_trip(message) == message);
    }
}

TEST_CASE("every coordinator message round-trips with its field values", "[protocol][codec]") {
    for (const CoordinatorMessage& message : sample_coordinator_messages()) {
        CHECK(coordinator_round_trip(message) == message);
    }
}

TEST_CASE("the frame's type and version are the envelope's", "[protocol][codec]") {
    std::vector<std::string> agent_types;
    for (const AgentMessage& message : sample_agent_messages()) {
        std::string frame = encode(message);
        CHECK(field_value(frame, "v") == packed(kProtocolVersion));
        CHECK(field_value(frame, "type") == packed(std::string(type_name(message))));
        agent_types.emplace_back(type_name(message));
    }
    CHECK(agent_types == std::vector<std::string>{
                             "hello", "heartbeat", "accepted", "refused", "step_started", "log",
                             "step_finished", "job_finished", "goodbye", "upload", "upload_end",
                             "fetch", "cache_find", "cache_find", "cache_save"});
    std::vector<std::string> coordinator_types;
    for (const CoordinatorMessage& message : sample_coordinator_messages()) {
        std::string frame = encode(message);
        CHECK(field_value(frame, "type") == packed(std::string(type_name(message))));
        coordinator_types.emplace_back(type_name(message));
    }
    CHECK(coordinator_types == std::vector<std::string>{"welcome", "reject", "heartbeat", "assign",
                                                        "ack", "cancel", "upload_ack",
                                                        "upload_done", "fetch_data", "cache_answer",
                                                        "cache_answer"});
}

TEST_CASE("an ack is exactly the documented msgpack map", "[protocol][codec]") {
    // {"v": 1, "type": "ack", "attempt_id": 42, "seq": 7}: pins the wire format, so any
    // change to it shows up here and gets a protocol version bump.
    std::string expected(
        "\x84\xa1v\x01\xa4type\xa3"
        "ack\xaa"
        "attempt_id\x2a\xa3seq\x07");
    CHECK(encode(CoordinatorMessage{Ack{42, 7}}) == expected);
}

TEST_CASE("log data goes as msgpack bin with every byte intact", "[protocol][codec]") {
    Log log{5, 1, all_byte_values()};
    std::string frame = encode(AgentMessage{log});
    CHECK(field_value(frame, "data") == packed_bin(log.data));
    CHECK(agent_round_trip(log) == AgentMessage{log});

    SECTION("an empty chunk") {
        CHECK(agent_round_trip(Log{5, 2, ""}) == AgentMessage{Log{5, 2, ""}});
    }
    SECTION("a chunk of exactly the size limit") {
        Log largest{5, 3, std::string(kMaxLogChunkBytes, '\0')};
        CHECK(agent_round_trip(largest) == AgentMessage{largest});
    }
}

TEST_CASE("enums go on the wire as their names", "[protocol][codec]") {
    const std::vector<std::pair<StepOutcome, std::string>> step_outcomes{
        {StepOutcome::success, "success"},
        {StepOutcome::failed, "failed"},
        {StepOutcome::error, "error"},
        {StepOutcome::cancelled, "cancelled"}};
    for (const auto& [outcome, name] : step_outcomes) {
        StepFinished message{1, 0, outcome, 0, 0};
        CHECK(field_value(encode(AgentMessage{message}), "outcome") == packed(name));
        CHECK(agent_round_trip(message) == AgentMessage{message});
    }
    const std::vector<std::pair<JobOutcome, std::string>> job_outcomes{
        {JobOutcome::success, "success"},
        {JobOutcome::failed, "failed"},
        {JobOutcome::error, "error"},
        {JobOutcome::cancelled, "cancelled"}};
    for (const auto& [outcome, name] : job_outcomes) {
        JobFinished message{1, outcome, "", 0, 0};
        CHECK(field_value(encode(AgentMessage{message}), "outcome") == packed(name));
        CHECK(agent_round_trip(message) == AgentMessage{message});
    }
    for (StepKind kind :
         {StepKind::checkout, StepKind::run, StepKind::setup_remote_docker,
          StepKind::store_artifacts, StepKind::persist_to_workspace, StepKind::attach_workspace,
          StepKind::save_cache, StepKind::restore_cache}) {
        Assign assign{1, 1, "build", "file:///repo", "main", "abc", "", {}, {}, "", {}, 0, {}, {}};
        assign.steps.push_back(StepSpec{kind,
                                        "step",
                                        "true",
                                        {},
                                        "",
                                        0,
                                        StepWhen::on_success,
                                        "",
                                        false,
                                        0,
                                        0,
                                        {"out"},
                                        "",
                                        "~/project",
                                        "/tmp/at",
                                        {},
                                        {"v1-deps-{{ checksum \"go.sum\" }}"},
                                        {"SHA256:NPj4IcXxqQEKGXOghi/QbG2sohoNfvZ30JwCcdSSNM0"}});
        CHECK(coordinator_round_trip(assign) == CoordinatorMessage{assign});
    }
}

TEST_CASE("integer fields keep their extreme values", "[protocol][codec]") {
    constexpr int64_t kMaxId = std::numeric_limits<int64_t>::max();
    constexpr int64_t kMinTime = std::numeric_limits<int64_t>::min();
    constexpr uint32_t kMax32 = std::numeric_limits<uint32_t>::max();
    constexpr uint64_t kMax64 = std::numeric_limits<uint64_t>::max();

    std::vector<AgentMessage> agent{
        StepStarted{kMaxId, kMax32, kMinTime},
        StepFinished{1, 0, StepOutcome::error, std::numeric_limits<int32_t>::min(), -1},
        StepFinished{1, 0, StepOutcome::success, std::numeric_limits<int32_t>::max(), 0},
        JobFinished{kMaxId, JobOutcome::success, "", kMax64, std::numeric_limits<int64_t>::max()},
        Log{1, kMax64, "x"},
        Hello{"h", "", kMax32, {}, {1, kMaxId}},
        AgentHeartbeat{{}, kMax32, false},
    };
    for (const AgentMessage& message : agent) CHECK(agent_round_trip(message) == message);

    std::vector<CoordinatorMessage> coordinator{
        Welcome{std::numeric_limits<int64_t>::min(), 1, kMax32},
        Ack{kMaxId, kMax64},
        Ack{1, 0},
    };
    for (const CoordinatorMessage& message : coordinator) {
        CHECK(coordinator_round_trip(message) == message);
    }
}

TEST_CASE("empty lists, maps and strings round-trip", "[protocol][codec]") {
    CHECK(agent_round_trip(Hello{"n", "", 1, {}, {}}) == AgentMessage{Hello{"n", "", 1, {}, {}}});
    Assign bare{1, 0, "j", "", "", "", "", {}, {}, "", {}, 0, {}, {}};
    CHECK(coordinator_round_trip(bare) == CoordinatorMessage{bare});
    CHECK(coordinator_round_trip(Reject{RejectCode::other, ""}) ==
          CoordinatorMessage{Reject{RejectCode::other, ""}});
}

TEST_CASE("unknown fields are ignored, for forward compatibility", "[protocol][codec]") {
    Log log{3, 4, "abc"};
    std::string frame = encode(AgentMessage{log});
    frame = with_field(frame, "compression", packed(std::string("none")));
    frame = with_field(frame, "future_list", packed(std::vector<int>{1, 2, 3}));
    auto decoded = decode_agent_message(frame);
    REQUIRE(decoded.ok());
    CHECK(*decoded == AgentMessage{log});

    Assign assign = std::get<Assign>(sample_coordinator_messages()[3]);
    std::string assign_frame = with_field(encode(CoordinatorMessage{assign}), "priority",
                                          packed(std::map<std::string, int>{{"level", 3}}));
    auto decoded_assign = decode_coordinator_message(assign_frame);
    REQUIRE(decoded_assign.ok());
    CHECK(*decoded_assign == CoordinatorMessage{assign});
}

TEST_CASE("validate accepts what the peer accepts", "[protocol][codec]") {
    for (const AgentMessage& message : sample_agent_messages()) CHECK(validate(message).ok());
    for (const CoordinatorMessage& message : sample_coordinator_messages()) {
        CHECK(validate(message).ok());
    }
}
