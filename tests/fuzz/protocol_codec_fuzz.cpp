// libFuzzer target for the protocol codec (built with -DFMG_FUZZ=ON, clang only).
// Feeds every input to both decoders. Nothing may crash, throw or leak; and whatever decodes
// must survive the round trip: decode(encode(x)) == x, with encode(x) a fixed point.
//
// Run: fuzz_protocol_codec_fuzz -max_total_time=120 CORPUS_DIR
// (seed the corpus with encoded messages; see PROTOCOL.md for the frame layout).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/codec.h"

namespace {

[[noreturn]] void round_trip_broken(std::string_view direction, std::string_view type,
                                    std::string_view problem) {
    std::fprintf(stderr, "%.*s message '%.*s': %.*s\n", static_cast<int>(direction.size()),
                 direction.data(), static_cast<int>(type.size()), type.data(),
                 static_cast<int>(problem.size()), problem.data());
    std::abort();
}

/// Checks decode(encode(message)) == message and that encoding is stable, for one direction.
template <typename Message, typename Decode>
void check_round_trip(const Message& message, Decode decode, std::string_view direction) {
    std::string frame = fmg::protocol::encode(message);
    auto again = decode(frame);
    if (!again) round_trip_broken(direction, type_name(message), again.error().message);
    if (!(*again == message)) round_trip_broken(direction, type_name(message), "value changed");
    if (fmg::protocol::encode(*again) != frame) {
        round_trip_broken(direction, type_name(message), "encoding not stable");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view frame(reinterpret_cast<const char*>(data), size);

    auto from_agent = fmg::protocol::decode_agent_message(frame);
    if (from_agent) {
        check_round_trip(*from_agent, fmg::protocol::decode_agent_message, "agent");
    } else if (from_agent.error().message.empty()) {
        round_trip_broken("agent", "?", "refused without a reason");
    }

    auto from_coordinator = fmg::protocol::decode_coordinator_message(frame);
    if (from_coordinator) {
        check_round_trip(*from_coordinator, fmg::protocol::decode_coordinator_message,
                         "coordinator");
    } else if (from_coordinator.error().message.empty()) {
        round_trip_broken("coordinator", "?", "refused without a reason");
    }
    return 0;
}
