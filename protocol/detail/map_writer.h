#pragma once
// Builds one msgpack map entry by entry, counting the entries so that no encoder has to
// state a field count by hand (a wrong count would corrupt the frame silently).

#include <cstdint>
#include <msgpack.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/messages.h"

namespace fmg::protocol::detail {

class MapWriter {
  public:
    MapWriter() = default;
    MapWriter(const MapWriter&) = delete;
    MapWriter& operator=(const MapWriter&) = delete;

    /// Adds `key` with a msgpack str value.
    void text(std::string_view key, std::string_view value);
    /// Adds `key` with a msgpack bin value (raw bytes, NUL included).
    void binary(std::string_view key, std::string_view bytes);
    /// Adds `key` with an integer value in its shortest msgpack encoding.
    void unsigned_integer(std::string_view key, uint64_t value);
    void signed_integer(std::string_view key, int64_t value);
    void boolean(std::string_view key, bool value);
    /// Adds `key` with an array of str.
    void text_list(std::string_view key, const std::vector<std::string>& values);
    /// Adds `key` with an array of integers.
    void integer_list(std::string_view key, const std::vector<int64_t>& values);
    void unsigned_list(std::string_view key, const std::vector<uint64_t>& values);
    /// Adds `key` with a map from str to str.
    void environment(std::string_view key, const Environment& environment);
    /// Adds `key` with an array of maps, each already finished by its own MapWriter.
    void map_list(std::string_view key, const std::vector<std::string>& encoded_maps);

    /// The encoded map: header with the entry count, then the entries in insertion order.
    std::string finish() const;

  private:
    void key(std::string_view name);
    void pack_text(std::string_view value);

    msgpack::sbuffer body_;
    msgpack::packer<msgpack::sbuffer> packer_{body_};
    uint32_t entries_ = 0;
};

}  // namespace fmg::protocol::detail
