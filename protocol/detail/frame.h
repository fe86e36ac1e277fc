#pragma once
// Opening a received frame: size check, bounded msgpack parsing, and the envelope
// {v, type} (PROTOCOL.md 3, 5, 8). What follows depends on the direction.

#include <cstdint>
#include <msgpack.hpp>
#include <string>
#include <string_view>

#include "shared/result.h"

namespace fmg::protocol::detail {

/// A parsed frame. The msgpack objects point into the frame's bytes, which must outlive it.
struct Envelope {
    msgpack::object_handle handle;  // owns the object tree
    uint64_t version = 0;
    std::string type;

    const msgpack::object_map& fields() const { return handle.get().via.map; }
};

/// Parses `frame` into an Envelope. Fails if the frame exceeds kMaxFrameBytes, is not valid
/// msgpack, breaks a parser limit (item counts, string sizes, nesting), is not a map, has
/// bytes after the map, or lacks a well-typed "v" or "type". Never throws.
Result<Envelope> open_envelope(std::string_view frame);

/// Fails unless kMinimumProtocolVersion <= version <= kProtocolVersion; the error names
/// the versions `receiver` ("coordinator" or "agent") speaks.
Status check_version(uint64_t version, std::string_view receiver);

}  // namespace fmg::protocol::detail
