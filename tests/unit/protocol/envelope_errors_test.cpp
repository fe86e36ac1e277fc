// Frames that are refused before any message field is read: size, msgpack validity,
// envelope, version, type and direction (PROTOCOL.md 3, 4, 5, 8).

#include <catch2/catch.hpp>

#include "protocol/codec.h"
#include "raw_frames.h"
#include "samples.h"

using namespace fmg;
using namespace fmg::protocol;
using namespace fmg::protocol::testing;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;

namespace {

std::string agent_error(std::string_view frame) {
    auto decoded = decode_agent_message(frame);
    return decoded ? "decoded as " + std::string(type_name(*decoded)) : decoded.error().message;
}

std::string coordinator_error(std::string_view frame) {
    auto decoded = decode_coordinator_message(frame);
    return decoded ? "decoded as " + std::string(type_name(*decoded)) : decoded.error().message;
}

/// 1.0 as a msgpack float 64 (msgpack-c would pack a whole double as an integer).
const std::string kFloat64One("\xcb\x3f\xf0\0\0\0\0\0\0", 9);

const std::string kHelloFrame = encode(AgentMessage{Hello{"runner", "0.1.0", 1, {}, {}}});

}  // namespace

TEST_CASE("a frame over the size limit is refused before parsing", "[protocol][codec]") {
    std::string frame(9000000, '\x90');
    CHECK_THAT(agent_error(frame), Equals("frame of 9000000 bytes exceeds the 8388608-byte limit"));
    CHECK_THAT(coordinator_error(frame),
               Equals("frame of 9000000 bytes exceeds the 8388608-byte limit"));
}

TEST_CASE("a frame that is not one msgpack map is refused", "[protocol][codec]") {
    CHECK_THAT(agent_error(""), Equals("empty frame"));
    CHECK_THAT(agent_error(packed(std::vector<int>{1, 2})),
               Equals("not a msgpack map (the frame holds an array)"));
    CHECK_THAT(coordinator_error(packed(42)),
               Equals("not a msgpack map (the frame holds an unsigned integer)"));
    CHECK_THAT(agent_error(packed(std::string("hello"))), Contains("not a msgpack map"));
    CHECK_THAT(agent_error(kHelloFrame + kHelloFrame),
               Equals("the frame has " + std::to_string(kHelloFrame.size()) +
                      " bytes after its msgpack map; a frame holds exactly one message"));
}

TEST_CASE("garbage bytes are refused", "[protocol][codec]") {
    CHECK_THAT(agent_error("\xc1"), Equals("not valid msgpack data"));
    CHECK_THAT(coordinator_error(std::string("\x81\xc1\x01", 3)), Equals("not valid msgpack data"));
    CHECK_THAT(agent_error("GET / HTTP/1.1\r\n\r\n"), Contains("not a msgpack map"));
}

TEST_CASE("every truncation of a valid frame is refused as truncated", "[protocol][codec]") {
    for (const CoordinatorMessage& message : sample_coordinator_messages()) {
        std::string frame = encode(message);
        for (size_t length = 1; length < frame.size(); ++length) {
            INFO(type_name(message) << " cut to " << length << " of " << frame.size() << " bytes");
            CHECK_THAT(coordinator_error(frame.substr(0, length)),
                       Equals("truncated frame: the msgpack data ends in the middle of a value"));
        }
    }
    for (const AgentMessage& message : sample_agent_messages()) {
        std::string frame = encode(message);
        for (size_t length = 1; length < frame.size(); length += 7) {
            CHECK_THAT(agent_error(frame.substr(0, length)), Contains("truncated frame"));
        }
    }
}

TEST_CASE("a version outside the supported range is refused naming both sides",
          "[protocol][codec]") {
    std::string future = with_field(kHelloFrame, "v", packed(7));
    CHECK_THAT(agent_error(future),
               Equals("unsupported protocol version 7 (this coordinator speaks 1, accepts >= 1)"));
    CHECK_THAT(agent_error(with_field(kHelloFrame, "v", packed(0))),
               Equals("unsupported protocol version 0 (this coordinator speaks 1, accepts >= 1)"));

    std::string welcome = encode(CoordinatorMessage{Welcome{1, 1000, 3000}});
    CHECK_THAT(coordinator_error(with_field(welcome, "v", packed(2))),
               Equals("unsupported protocol version 2 (this agent speaks 1, accepts >= 1)"));
}

TEST_CASE("a reject decodes whatever its version, so the agent learns why", "[protocol][codec]") {
    std::string reject = encode(
        CoordinatorMessage{Reject{RejectCode::invalid_frame, "unsupported protocol version 1"}});
    auto decoded = decode_coordinator_message(with_field(reject, "v", packed(9)));
    REQUIRE(decoded.ok());
    CHECK(std::get<Reject>(*decoded).code == RejectCode::invalid_frame);
    CHECK(std::get<Reject>(*decoded).reason == "unsupported protocol version 1");
}

TEST_CASE("every reject code round-trips under its wire name", "[protocol][codec]") {
    const std::vector<std::pair<RejectCode, std::string>> codes = {
        {RejectCode::no_session, "no_session"},
        {RejectCode::unknown_runner, "unknown_runner"},
        {RejectCode::revoked, "revoked"},
        {RejectCode::replaced, "replaced"},
        {RejectCode::invalid_frame, "invalid_frame"},
        {RejectCode::other, "other"},
    };
    for (const auto& [code, name] : codes) {
        std::string frame = encode(CoordinatorMessage{Reject{code, "why"}});
        CHECK(field_value(frame, "code") == packed(name));
        auto decoded = decode_coordinator_message(frame);
        REQUIRE(decoded.ok());
        CHECK(std::get<Reject>(*decoded) == Reject{code, "why"});
    }
}

TEST_CASE("a reject without a code, or with one this build does not know, is 'other'",
          "[protocol][codec]") {
    // An older coordinator sends no code; a newer one may send a code added since. Either
    // still decodes, and 'other' ends the agent as every reject did before codes.
    std::string reject = encode(CoordinatorMessage{Reject{RejectCode::no_session, "old"}});
    for (const std::string& frame : {without_field(reject, "code"),
                                     with_field(reject, "code", packed(std::string("moved")))}) {
        auto decoded = decode_coordinator_message(frame);
        REQUIRE(decoded.ok());
        CHECK(std::get<Reject>(*decoded) == Reject{RejectCode::other, "old"});
    }
    CHECK_THAT(coordinator_error(with_field(reject, "code", packed(3))),
               Equals("message 'reject': field 'code' must be a string (msgpack str) (got an "
                      "unsigned integer)"));
}

TEST_CASE("the envelope needs an unsigned version and a string type", "[protocol][codec]") {
    CHECK_THAT(agent_error(without_field(kHelloFrame, "v")), Equals("frame: missing field 'v'"));
    CHECK_THAT(agent_error(with_field(kHelloFrame, "v", packed(std::string("1")))),
               Equals("frame: field 'v' must be an unsigned integer (got a str)"));
    CHECK_THAT(agent_error(with_field(kHelloFrame, "v", packed(-1))),
               Equals("frame: field 'v' must be an unsigned integer (got a negative integer)"));
    CHECK_THAT(agent_error(with_field(kHelloFrame, "v", kFloat64One)),
               Equals("frame: field 'v' must be an unsigned integer (got a float)"));
    CHECK_THAT(agent_error(without_field(kHelloFrame, "type")),
               Equals("frame: missing field 'type'"));
    CHECK_THAT(
        agent_error(with_field(kHelloFrame, "type", packed(3))),
        Equals("frame: field 'type' must be a string (msgpack str) (got an unsigned integer)"));
    CHECK_THAT(agent_error(with_field(kHelloFrame, "type", packed(std::string()))),
               Equals("frame: field 'type' must not be empty"));
}

TEST_CASE("an unknown message type is refused by name", "[protocol][codec]") {
    CHECK_THAT(agent_error(with_field(kHelloFrame, "type", packed(std::string("foo")))),
               Equals("unknown message type 'foo'"));
    CHECK_THAT(coordinator_error(with_field(kHelloFrame, "type", packed(std::string("foo")))),
               Equals("unknown message type 'foo'"));
    CHECK_THAT(agent_error(with_field(kHelloFrame, "type", packed(std::string("bad\n'type")))),
               Equals("unknown message type 'bad\\x0a\\x27type'"));
    CHECK_THAT(agent_error(with_field(kHelloFrame, "type", packed(std::string(300, 'x')))),
               Equals("unknown message type '" + std::string(64, 'x') + "...'"));
}

TEST_CASE("a message decoded by the wrong direction's decoder is refused clearly",
          "[protocol][codec]") {
    for (const AgentMessage& message : sample_agent_messages()) {
        if (std::holds_alternative<AgentHeartbeat>(message)) continue;
        CHECK_THAT(coordinator_error(encode(message)),
                   Equals("message type '" + std::string(type_name(message)) +
                          "' is sent by the agent, not by the coordinator"));
    }
    for (const CoordinatorMessage& message : sample_coordinator_messages()) {
        if (std::holds_alternative<CoordinatorHeartbeat>(message)) continue;
        CHECK_THAT(agent_error(encode(message)),
                   Equals("message type '" + std::string(type_name(message)) +
                          "' is sent by the coordinator, not by the agent"));
    }
    // "heartbeat" is the one name both directions use (PROTOCOL.md 6.2): the agent's has
    // required fields, the coordinator's has none.
    CHECK_THAT(agent_error(encode(CoordinatorMessage{CoordinatorHeartbeat{}})),
               Equals("message 'heartbeat': missing field 'running'"));
    auto crossed = decode_coordinator_message(encode(AgentMessage{AgentHeartbeat{{1}, 1, false}}));
    REQUIRE(crossed.ok());
    CHECK(std::holds_alternative<CoordinatorHeartbeat>(*crossed));
}

TEST_CASE("parser limits refuse oversized and deeply nested values", "[protocol][codec]") {
    SECTION("a string longer than kMaxTextBytes, even in an unknown field") {
        std::string frame =
            with_field(kHelloFrame, "extra", packed(std::string(kMaxTextBytes + 1, 'a')));
        CHECK_THAT(agent_error(frame),
                   Equals("a string in the frame is longer than the 262144-byte limit"));
    }
    SECTION("a bin longer than kMaxLogChunkBytes") {
        std::string frame = encode(AgentMessage{Log{1, 1, ""}});
        frame = with_field(frame, "data", packed_bin(std::string(kMaxLogChunkBytes + 1, 'a')));
        CHECK_THAT(agent_error(frame),
                   Equals("a binary value in the frame is longer than the 1048576-byte limit"));
    }
    SECTION("an array with more than kMaxListItems items") {
        std::string frame = with_field(kHelloFrame, "labels",
                                       packed(std::vector<std::string>(kMaxListItems + 1, "l")));
        CHECK_THAT(agent_error(frame), Equals("an array in the frame has more than 1024 items"));
        std::vector<AttemptId> running(kMaxListItems, 7);
        CHECK(decode_agent_message(with_field(kHelloFrame, "running", packed(running))).ok());
    }
    SECTION("a map with more than kMaxMapEntries entries") {
        std::map<std::string, std::string> environment;
        for (size_t i = 0; i <= kMaxMapEntries; ++i) environment["V" + std::to_string(i)] = "x";
        Assign assign{1, 1, "build", "u", "r", "s", "i", {}, environment, "", {}, 0, {}, {}};
        CHECK_THAT(coordinator_error(encode(CoordinatorMessage{assign})),
                   Equals("a map in the frame has more than 1024 entries"));
    }
    SECTION("nesting deeper than kMaxNestingDepth") {
        std::string value = packed(1);
        for (size_t level = 0; level < kMaxNestingDepth; ++level) value = "\x91" + value;
        CHECK_THAT(agent_error(with_field(kHelloFrame, "deep", value)),
                   Equals("the frame nests arrays and maps deeper than 8 levels"));
        CHECK(decode_agent_message(with_field(kHelloFrame, "deep", value.substr(1))).ok());
    }
    SECTION("an ext value") {
        std::string frame = with_field(kHelloFrame, "extra", std::string("\xd4\x01\x00", 3));
        CHECK_THAT(agent_error(frame),
                   Equals("the frame holds a msgpack ext value, which the protocol does not use"));
    }
}
