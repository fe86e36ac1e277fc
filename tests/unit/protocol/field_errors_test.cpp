// Frames with a valid envelope whose fields are missing, mistyped, duplicated or out of
// range are refused with the message and field named (PROTOCOL.md 3, 5, 6).

#include <catch2/catch.hpp>
#include <limits>

#include "protocol/codec.h"
#include "raw_frames.h"
#include "samples.h"

using namespace fmg;
using namespace fmg::protocol;
using namespace fmg::protocol::testing;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
using Catch::Matchers::StartsWith;

namespace {

std::string agent_error(std::string_view frame) {
    auto decoded = decode_agent_message(frame);
    return decoded ? "decoded as " + std::string(type_name(*decoded)) : decoded.error().message;
}

std::string coordinator_error(std::string_view frame) {
    auto decoded = decode_coordinator_message(frame);
    return decoded ? "decoded as " + std::string(type_name(*decoded)) : decoded.error().message;
}

/// A msgpack value of a different type than the one in `value_bytes`.
std::string wrong_type_for(const std::string& value_bytes) {
    auto handle = msgpack::unpack(value_bytes.data(), value_bytes.size());
    switch (handle.get().type) {
        case msgpack::type::STR:
            return packed(7);
        case msgpack::type::BIN:
        case msgpack::type::POSITIVE_INTEGER:
        case msgpack::type::NEGATIVE_INTEGER:
            return packed(std::string("7"));
        case msgpack::type::ARRAY:
            return packed(std::string("[1]"));
        case msgpack::type::MAP:
            return packed(std::vector<int>{1});
        default:
            return packed(msgpack::type::nil_t());
    }
}

/// Runs `check(message type, field name, frame)` for every field of every sample frame.
template <typename Messages, typename Check>
void for_every_field(const Messages& messages, Check check) {
    for (const auto& message : messages) {
        std::string frame = encode(message);
        for (const RawField& field : fields_of(frame)) {
            if (field.key == "v" || field.key == "type") continue;
            check(std::string(type_name(message)), field, frame);
        }
    }
}

const std::string kLogFrame = encode(AgentMessage{Log{42, 3, "out"}});
const std::string kAssignFrame = encode(sample_coordinator_messages()[3]);

/// The sample assign with its first step's field `key` set to `value` (removed if empty).
std::string assign_with_step_field(std::string_view key, const std::string& value) {
    std::vector<std::string> steps = elements_of(field_value(kAssignFrame, "steps"));
    steps[0] = value.empty() ? without_field(steps[0], key) : with_field(steps[0], key, value);
    return with_field(kAssignFrame, "steps", array_of(steps));
}

}  // namespace

TEST_CASE("every missing field is named", "[protocol][codec]") {
    for_every_field(sample_agent_messages(), [](const std::string& type, const RawField& field,
                                                const std::string& frame) {
        CHECK_THAT(agent_error(without_field(frame, field.key)),
                   Equals("message '" + type + "': missing field '" + field.key + "'"));
    });
    for_every_field(sample_coordinator_messages(),
                    [](const std::string& type, const RawField& field, const std::string& frame) {
                        // The OPTIONAL fields: a reject without a code is 'other'
                        // (envelope_errors_test.cpp); an assign without image options runs
                        // every image as it is (image_options_test.cpp).
                        if (type == "reject" && field.key == "code") return;
                        if (type == "assign" && field.key == "image_options") return;
                        CHECK_THAT(
                            coordinator_error(without_field(frame, field.key)),
                            Equals("message '" + type + "': missing field '" + field.key + "'"));
                    });
}

TEST_CASE("every field of the wrong msgpack type is named", "[protocol][codec]") {
    for_every_field(sample_agent_messages(), [](const std::string& type, const RawField& field,
                                                const std::string& frame) {
        CHECK_THAT(agent_error(with_field(frame, field.key, wrong_type_for(field.value))),
                   StartsWith("message '" + type + "': field '" + field.key + "' must be"));
    });
    for_every_field(
        sample_coordinator_messages(),
        [](const std::string& type, const RawField& field, const std::string& frame) {
            CHECK_THAT(coordinator_error(with_field(frame, field.key, wrong_type_for(field.value))),
                       StartsWith("message '" + type + "': field '" + field.key + "' must be"));
        });
}

TEST_CASE("the brief's example: a log seq that is not an unsigned integer", "[protocol][codec]") {
    CHECK_THAT(agent_error(with_field(kLogFrame, "seq", packed(std::string("3")))),
               Equals("message 'log': field 'seq' must be an unsigned integer (got a str)"));
    CHECK_THAT(
        agent_error(with_field(kLogFrame, "seq", packed(-3))),
        Equals("message 'log': field 'seq' must be an unsigned integer (got a negative integer)"));
    CHECK_THAT(agent_error(with_field(kLogFrame, "seq", packed(0))),
               Equals("message 'log': field 'seq' must be at least 1"));
}

TEST_CASE("str and bin are not interchangeable", "[protocol][codec]") {
    CHECK_THAT(agent_error(with_field(kLogFrame, "data", packed(std::string("text")))),
               Equals("message 'log': field 'data' must be binary (msgpack bin) (got a str)"));
    std::string goodbye = encode(AgentMessage{Goodbye{"bye"}});
    CHECK_THAT(
        agent_error(with_field(goodbye, "reason", packed_bin("bye"))),
        Equals("message 'goodbye': field 'reason' must be a string (msgpack str) (got a bin)"));
}

TEST_CASE("integers out of their field's range are refused", "[protocol][codec]") {
    std::string step_started = encode(AgentMessage{StepStarted{1, 0, 0}});
    CHECK_THAT(agent_error(with_field(step_started, "step_index", packed(uint64_t{1} << 32))),
               Equals("message 'step_started': field 'step_index' must be at most 4294967295 (an "
                      "unsigned 32-bit integer)"));
    CHECK_THAT(
        agent_error(with_field(step_started, "started_at_ms",
                               packed(std::numeric_limits<uint64_t>::max()))),
        Equals("message 'step_started': field 'started_at_ms' must fit a signed 64-bit integer"));
    CHECK_THAT(agent_error(with_field(step_started, "attempt_id", packed(0))),
               Equals("message 'step_started': field 'attempt_id' must be a positive 64-bit "
                      "integer (an attempt id)"));
    CHECK_THAT(agent_error(with_field(step_started, "attempt_id", packed(-5))),
               Contains("field 'attempt_id' must be a positive 64-bit integer"));

    std::string step_finished =
        encode(AgentMessage{StepFinished{1, 0, StepOutcome::success, 0, 0}});
    CHECK_THAT(
        agent_error(with_field(step_finished, "exit_code", packed(int64_t{1} << 31))),
        Equals("message 'step_finished': field 'exit_code' must fit a signed 32-bit integer"));
    CHECK_THAT(agent_error(with_field(step_finished, "exit_code", packed(-(int64_t{1} << 31) - 1))),
               Contains("field 'exit_code' must fit a signed 32-bit integer"));

    std::string hello = encode(AgentMessage{Hello{"h", "v", 1, {}, {}}});
    CHECK_THAT(agent_error(with_field(hello, "capacity", packed(0))),
               Equals("message 'hello': field 'capacity' must be at least 1"));
    CHECK_THAT(agent_error(with_field(hello, "running", packed(std::vector<int>{4, 0}))),
               Equals("message 'hello': field 'running[1]' must be a positive 64-bit integer (an "
                      "attempt id)"));
}

TEST_CASE("enum fields accept only their names", "[protocol][codec]") {
    std::string job_finished = encode(AgentMessage{JobFinished{1, JobOutcome::success, "", 0, 0}});
    CHECK_THAT(agent_error(with_field(job_finished, "outcome", packed(std::string("maybe")))),
               Equals("message 'job_finished': field 'outcome' must be one of success, failed, "
                      "error, cancelled (got 'maybe')"));
    CHECK_THAT(agent_error(with_field(job_finished, "outcome", packed(0))),
               StartsWith("message 'job_finished': field 'outcome' must be a string"));
    CHECK_THAT(
        coordinator_error(assign_with_step_field("kind", packed(std::string("deploy")))),
        Equals("message 'assign': field 'steps[0].kind' must be one of checkout, run, "
               "setup_remote_docker, store_artifacts, persist_to_workspace, "
               "attach_workspace, store_test_results, save_cache, restore_cache, add_ssh_keys (got "
               "'deploy')"));
}

TEST_CASE("steps inside an assign are checked field by field", "[protocol][codec]") {
    for (const std::string key : {"kind", "name", "command", "environment", "working_directory",
                                  "no_output_timeout_ms", "when"}) {
        CHECK_THAT(coordinator_error(assign_with_step_field(key, "")),
                   Equals("message 'assign': missing field 'steps[0]." + key + "'"));
    }
    CHECK_THAT(coordinator_error(assign_with_step_field("no_output_timeout_ms", packed(-1))),
               StartsWith("message 'assign': field 'steps[0].no_output_timeout_ms' must be an "
                          "unsigned integer"));
    std::vector<std::string> steps = elements_of(field_value(kAssignFrame, "steps"));
    steps[1] = packed(std::string("make test"));
    CHECK_THAT(coordinator_error(with_field(kAssignFrame, "steps", array_of(steps))),
               Equals("message 'assign': field 'steps[1]' must be a map (got a str)"));
}

TEST_CASE("environment maps hold usable variables", "[protocol][codec]") {
    auto with_environment = [](std::map<std::string, std::string> environment) {
        return with_field(kAssignFrame, "environment", packed(environment));
    };
    CHECK(decode_coordinator_message(with_environment({{"A", ""}, {"B_2", "x=y"}})).ok());
    CHECK_THAT(coordinator_error(with_environment({{"A=B", "x"}})),
               Equals("message 'assign': field 'environment' has variable 'A=B' whose name "
                      "contains '=' or NUL"));
    CHECK_THAT(coordinator_error(with_environment({{"A", std::string("x\0y", 3)}})),
               Equals("message 'assign': field 'environment' has variable 'A' whose value "
                      "contains NUL"));
    CHECK_THAT(coordinator_error(with_environment({{"", "x"}})),
               Equals("message 'assign': field 'environment' has a variable with an empty name"));
    CHECK_THAT(coordinator_error(with_field(kAssignFrame, "environment",
                                            packed(std::map<std::string, int>{{"N", 1}}))),
               Equals("message 'assign': field 'environment' must map strings to strings (got a "
                      "str to an unsigned integer)"));
    CHECK_THAT(coordinator_error(assign_with_step_field(
                   "environment",
                   map_of({{"X", packed(std::string("1"))}, {"X", packed(std::string("2"))}}))),
               Equals("message 'assign': field 'steps[0].environment' has variable 'X' more than "
                      "once"));
}

TEST_CASE("size limits of name-like strings", "[protocol][codec]") {
    std::string hello = encode(AgentMessage{Hello{"h", "v", 1, {}, {}}});
    CHECK(decode_agent_message(with_field(hello, "name", packed(std::string(kMaxNameBytes, 'n'))))
              .ok());
    CHECK_THAT(agent_error(with_field(hello, "name", packed(std::string(kMaxNameBytes + 1, 'n')))),
               Equals("message 'hello': field 'name' is 1025 bytes long, more than the 1024-byte "
                      "limit"));
    CHECK_THAT(agent_error(with_field(hello, "name", packed(std::string()))),
               Equals("message 'hello': field 'name' must not be empty"));
    CHECK_THAT(
        agent_error(with_field(hello, "labels",
                               packed(std::vector<std::string>{"ok", std::string(2000, 'l')}))),
        Equals("message 'hello': field 'labels[1]' is 2000 bytes long, more than the "
               "1024-byte limit"));
    CHECK_THAT(
        agent_error(with_field(hello, "labels", packed(std::vector<int>{1}))),
        Equals("message 'hello': field 'labels[0]' must be a string (got an unsigned integer)"));
}

TEST_CASE("duplicate fields and non-string field names are refused", "[protocol][codec]") {
    std::vector<RawField> fields = fields_of(kLogFrame);
    fields.push_back({"seq", packed(4)});
    CHECK_THAT(agent_error(map_of(fields)),
               Equals("message 'log': field 'seq' appears more than once"));

    std::string odd_key = kLogFrame;
    odd_key[0] = static_cast<char>(odd_key[0] + 1);  // one more map entry: 1 -> true
    odd_key += packed(1) + packed(true);
    CHECK_THAT(agent_error(odd_key),
               Equals("frame: field names must be strings (got an unsigned integer)"));
}

TEST_CASE("a welcome's timings must make sense", "[protocol][codec]") {
    std::string welcome = encode(CoordinatorMessage{Welcome{1, 1000, 3000}});
    CHECK_THAT(coordinator_error(with_field(welcome, "heartbeat_interval_ms", packed(0))),
               Equals("message 'welcome': field 'heartbeat_interval_ms' must be at least 1"));
    CHECK_THAT(coordinator_error(with_field(welcome, "agent_timeout_ms", packed(999))),
               Equals("message 'welcome': field 'agent_timeout_ms' must be at least "
                      "heartbeat_interval_ms (1000)"));
}

TEST_CASE("validate reports what the peer would refuse", "[protocol][codec]") {
    Assign assign = std::get<Assign>(sample_coordinator_messages()[3]);
    SECTION("a command over kMaxTextBytes") {
        assign.steps[1].command = std::string(kMaxTextBytes + 1, 'x');
        Status status = validate(assign);
        REQUIRE_FALSE(status.ok());
        CHECK_THAT(status.error().message,
                   Equals("a string in the frame is longer than the 262144-byte limit"));
    }
    SECTION("too many steps") {
        assign.steps.resize(kMaxListItems + 1, assign.steps[1]);
        Status status = validate(assign);
        REQUIRE_FALSE(status.ok());
        CHECK_THAT(status.error().message,
                   Equals("an array in the frame has more than 1024 items"));
    }
    SECTION("a frame over kMaxFrameBytes") {
        assign.steps.resize(40, assign.steps[1]);
        for (auto& step : assign.steps) step.command = std::string(kMaxTextBytes - 1, 'x');
        Status status = validate(assign);
        REQUIRE_FALSE(status.ok());
        CHECK_THAT(status.error().message,
                   StartsWith("frame of ") && Contains("bytes exceeds the 8388608-byte limit"));
    }
    SECTION("a variable name with '='") {
        assign.environment["A=B"] = "c";
        CHECK_FALSE(validate(assign).ok());
    }
    SECTION("an attempt id of 0 from an agent") {
        CHECK_THAT(
            validate(AgentMessage{Accepted{0}}).error().message,
            Equals("message 'accepted': field 'attempt_id' must be a positive 64-bit integer "
                   "(an attempt id)"));
    }
}
