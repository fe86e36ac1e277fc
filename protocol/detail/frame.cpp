#include "protocol/detail/frame.h"

#include <exception>
#include <new>

#include "protocol/detail/field_reader.h"
#include "protocol/messages.h"

namespace fmg::protocol::detail {
namespace {

/// The parser refuses anything beyond the protocol's limits before allocating for it.
const msgpack::unpack_limit kParserLimits(kMaxListItems, kMaxMapEntries, kMaxTextBytes,
                                          kMaxLogChunkBytes, /*ext=*/0, kMaxNestingDepth);

/// str and bin objects point into the frame instead of being copied: the frame outlives
/// the object tree, and the decoders copy what they keep.
bool reference_frame_bytes(msgpack::type::object_type, std::size_t, void*) {
    return true;
}

/// Parses exactly one msgpack value from `frame` within kParserLimits.
Result<msgpack::object_handle> parse(std::string_view frame, std::size_t& consumed) {
    try {
        consumed = 0;
        return msgpack::unpack(frame.data(), frame.size(), consumed, reference_frame_bytes, nullptr,
                               kParserLimits);
    } catch (const msgpack::insufficient_bytes&) {
        return Error{"truncated frame: the msgpack data ends in the middle of a value"};
    } catch (const msgpack::parse_error&) {
        return Error{"not valid msgpack data"};
    } catch (const msgpack::array_size_overflow&) {
        return Error{"an array in the frame has more than " + std::to_string(kMaxListItems) +
                     " items"};
    } catch (const msgpack::map_size_overflow&) {
        return Error{"a map in the frame has more than " + std::to_string(kMaxMapEntries) +
                     " entries"};
    } catch (const msgpack::str_size_overflow&) {
        return Error{"a string in the frame is longer than the " + std::to_string(kMaxTextBytes) +
                     "-byte limit"};
    } catch (const msgpack::bin_size_overflow&) {
        return Error{"a binary value in the frame is longer than the " +
                     std::to_string(kMaxLogChunkBytes) + "-byte limit"};
    } catch (const msgpack::ext_size_overflow&) {
        return Error{"the frame holds a msgpack ext value, which the protocol does not use"};
    } catch (const msgpack::depth_size_overflow&) {
        return Error{"the frame nests arrays and maps deeper than " +
                     std::to_string(kMaxNestingDepth) + " levels"};
    } catch (const std::bad_alloc&) {
        return Error{"not enough memory to decode a frame of " + std::to_string(frame.size()) +
                     " bytes"};
    } catch (const std::exception& error) {
        return Error{std::string("cannot decode the frame: ") + error.what()};
    }
}

}  // namespace

Result<Envelope> open_envelope(std::string_view frame) {
    if (frame.size() > kMaxFrameBytes) {
        return Error{"frame of " + std::to_string(frame.size()) + " bytes exceeds the " +
                     std::to_string(kMaxFrameBytes) + "-byte limit"};
    }
    if (frame.empty()) return Error{"empty frame"};
    std::size_t consumed = 0;
    auto parsed = parse(frame, consumed);
    if (!parsed) return parsed.error();
    Envelope envelope{std::move(*parsed), 0, ""};
    if (envelope.handle.get().type != msgpack::type::MAP) {
        return Error{"not a msgpack map (the frame holds " +
                     std::string(describe(envelope.handle.get())) + ")"};
    }
    if (consumed != frame.size()) {
        return Error{"the frame has " + std::to_string(frame.size() - consumed) +
                     " bytes after its msgpack map; a frame holds exactly one message"};
    }
    FieldReader reader("frame", envelope.fields());
    reader.unsigned64("v", envelope.version);
    reader.text("type", envelope.type, kMaxNameBytes, Emptiness::refused);
    if (!reader.ok()) return *reader.error();
    return envelope;
}

Status check_version(uint64_t version, std::string_view receiver) {
    if (version >= kMinimumProtocolVersion && version <= kProtocolVersion) return {};
    return Error{"unsupported protocol version " + std::to_string(version) + " (this " +
                 std::string(receiver) + " speaks " + std::to_string(kProtocolVersion) +
                 ", accepts >= " + std::to_string(kMinimumProtocolVersion) + ")"};
}

}  // namespace fmg::protocol::detail
