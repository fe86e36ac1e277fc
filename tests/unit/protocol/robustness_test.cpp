// Deterministic random mutation of valid frames: the decoders must never crash or throw, and
// whatever they accept must survive a round trip (PROTOCOL.md 4).

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>

#include "protocol/codec.h"
#include "samples.h"

using namespace fmg;
using namespace fmg::protocol;
using namespace fmg::protocol::testing;

namespace {

/// Bytes that start msgpack values with large or tricky lengths.
constexpr unsigned char kInterestingBytes[] = {
    0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6,
    0xc7, 0xca, 0xcb, 0xcf, 0xd3, 0xd4, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xff};

/// One random edit of `frame` (never empty afterwards unless it was).
void mutate(std::string& frame, std::mt19937_64& random) {
    if (frame.empty()) return;
    size_t at = random() % frame.size();
    switch (random() % 6) {
        case 0:  // flip one bit
            frame[at] = static_cast<char>(frame[at] ^ (1u << (random() % 8)));
            break;
        case 1:  // a byte that announces a type or length
            frame[at] = static_cast<char>(kInterestingBytes[random() % sizeof(kInterestingBytes)]);
            break;
        case 2:  // truncate
            frame.resize(at + 1);
            break;
        case 3:  // insert a random byte
            frame.insert(at, 1, static_cast<char>(random() % 256));
            break;
        case 4:  // delete a byte
            frame.erase(at, 1);
            break;
        case 5:  // duplicate a stretch
            frame.insert(at, frame.substr(random() % frame.size(), 1 + random() % 16));
            break;
    }
}

}  // namespace

TEST_CASE("mutated frames never crash or throw, and what decodes round-trips",
          "[protocol][codec][robustness]") {
    std::vector<std::string> frames;
    for (const auto& message : sample_agent_messages()) frames.push_back(encode(message));
    for (const auto& message : sample_coordinator_messages()) frames.push_back(encode(message));

    std::mt19937_64 random(20240601);  // fixed seed: the same mutations on every run
    constexpr int kRounds = 30000;
    int decoded = 0;
    int refused = 0;
    for (int round = 0; round < kRounds; ++round) {
        std::string frame = frames[random() % frames.size()];
        int edits = 1 + static_cast<int>(random() % 4);
        for (int edit = 0; edit < edits; ++edit) mutate(frame, random);

        Result<AgentMessage> agent = Error{};
        Result<CoordinatorMessage> coordinator = Error{};
        REQUIRE_NOTHROW(agent = decode_agent_message(frame));
        REQUIRE_NOTHROW(coordinator = decode_coordinator_message(frame));
        if (agent) {
            auto again = decode_agent_message(encode(*agent));
            REQUIRE(again.ok());
            REQUIRE(*again == *agent);
        }
        if (coordinator) {
            auto again = decode_coordinator_message(encode(*coordinator));
            REQUIRE(again.ok());
            REQUIRE(*again == *coordinator);
        }
        if (agent || coordinator) {
            ++decoded;
        } else {
            ++refused;
            REQUIRE_FALSE(agent.error().message.empty());
            REQUIRE_FALSE(coordinator.error().message.empty());
        }
    }
    // Both paths must have been exercised, or the test proves nothing.
    CHECK(decoded > kRounds / 100);
    CHECK(refused > kRounds / 2);
}
