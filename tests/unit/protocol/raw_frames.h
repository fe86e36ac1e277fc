#pragma once
// Builds and edits frames below the codec, with msgpack-c directly, so tests can craft
// frames the encoder would never produce (wrong types, missing or duplicate fields).

#include <msgpack.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace fmg::protocol::testing {

/// One entry of a msgpack map: the key and the msgpack bytes of its value.
struct RawField {
    std::string key;
    std::string value;
};

/// The msgpack bytes of `value`, packed by msgpack-c's adaptors (std::string -> str).
template <typename T>
std::string packed(const T& value) {
    msgpack::sbuffer buffer;
    msgpack::pack(buffer, value);
    return {buffer.data(), buffer.size()};
}

/// The msgpack bytes of a bin value.
std::string packed_bin(std::string_view bytes);

/// A msgpack map of `fields` in order (duplicates kept as given).
std::string map_of(const std::vector<RawField>& fields);

/// The entries of the map that `frame` holds; the frame must be a valid msgpack map.
std::vector<RawField> fields_of(std::string_view frame);

/// `frame` with the value of `key` replaced by `value` (added at the end if absent).
std::string with_field(std::string_view frame, std::string_view key, std::string value);

/// `frame` without the entry `key`.
std::string without_field(std::string_view frame, std::string_view key);

/// The msgpack bytes of each element of the msgpack array `array`.
std::vector<std::string> elements_of(std::string_view array);

/// A msgpack array of the already encoded `elements`.
std::string array_of(const std::vector<std::string>& elements);

/// The value of `key` in `frame`'s map as msgpack bytes (empty if absent).
std::string field_value(std::string_view frame, std::string_view key);

}  // namespace fmg::protocol::testing
