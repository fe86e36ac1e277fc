#pragma once
// Picks the decoder of a frame's message type from a direction's table and runs it.

#include <array>
#include <string>
#include <string_view>

#include "protocol/detail/field_reader.h"
#include "protocol/detail/frame.h"
#include "shared/result.h"

namespace fmg::protocol::detail {

/// One message type a direction receives, with the function reading its fields.
template <typename Message>
struct MessageDecoder {
    std::string_view type;
    Message (*read)(FieldReader& fields);
};

/// Who is decoding, for error messages.
template <size_t N>
struct Direction {
    std::string_view receiver;               // this side, e.g. "coordinator"
    std::string_view sender;                 // the peer, e.g. "agent"
    std::array<std::string_view, N> others;  // the types only this side sends
};

/// Decodes the fields of `envelope` with the decoder for its type. Fails with "unknown
/// message type" (or "is sent by the <receiver>" for a type of the other direction) or
/// with the first field error.
template <typename Message, size_t Types, size_t Others>
Result<Message> decode_fields(const Envelope& envelope,
                              const std::array<MessageDecoder<Message>, Types>& decoders,
                              const Direction<Others>& direction) {
    for (const auto& decoder : decoders) {
        if (decoder.type != envelope.type) continue;
        FieldReader fields("message '" + envelope.type + "'", envelope.fields());
        Message message = decoder.read(fields);
        if (!fields.ok()) return *fields.error();
        return message;
    }
    for (std::string_view other : direction.others) {
        if (other != envelope.type) continue;
        return Error{"message type " + quote_for_error(envelope.type) + " is sent by the " +
                     std::string(direction.receiver) + ", not by the " +
                     std::string(direction.sender)};
    }
    return Error{"unknown message type " + quote_for_error(envelope.type)};
}

}  // namespace fmg::protocol::detail
