#include "protocol/detail/map_writer.h"

namespace fmg::protocol::detail {

void MapWriter::key(std::string_view name) {
    pack_text(name);
    ++entries_;
}

void MapWriter::pack_text(std::string_view value) {
    packer_.pack_str(static_cast<uint32_t>(value.size()));
    packer_.pack_str_body(value.data(), static_cast<uint32_t>(value.size()));
}

void MapWriter::text(std::string_view name, std::string_view value) {
    key(name);
    pack_text(value);
}

void MapWriter::binary(std::string_view name, std::string_view bytes) {
    key(name);
    packer_.pack_bin(static_cast<uint32_t>(bytes.size()));
    packer_.pack_bin_body(bytes.data(), static_cast<uint32_t>(bytes.size()));
}

void MapWriter::unsigned_integer(std::string_view name, uint64_t value) {
    key(name);
    packer_.pack_uint64(value);
}

void MapWriter::signed_integer(std::string_view name, int64_t value) {
    key(name);
    packer_.pack_int64(value);
}

void MapWriter::boolean(std::string_view name, bool value) {
    key(name);
    if (value) {
        packer_.pack_true();
    } else {
        packer_.pack_false();
    }
}

void MapWriter::text_list(std::string_view name, const std::vector<std::string>& values) {
    key(name);
    packer_.pack_array(static_cast<uint32_t>(values.size()));
    for (const auto& value : values) pack_text(value);
}

void MapWriter::integer_list(std::string_view name, const std::vector<int64_t>& values) {
    key(name);
    packer_.pack_array(static_cast<uint32_t>(values.size()));
    for (int64_t value : values) packer_.pack_int64(value);
}

void MapWriter::unsigned_list(std::string_view name, const std::vector<uint64_t>& values) {
    key(name);
    packer_.pack_array(static_cast<uint32_t>(values.size()));
    for (uint64_t value : values) packer_.pack_uint64(value);
}

void MapWriter::environment(std::string_view name, const Environment& environment) {
    key(name);
    packer_.pack_map(static_cast<uint32_t>(environment.size()));
    for (const auto& [variable, value] : environment) {
        pack_text(variable);
        pack_text(value);
    }
}

void MapWriter::map_list(std::string_view name, const std::vector<std::string>& encoded_maps) {
    key(name);
    packer_.pack_array(static_cast<uint32_t>(encoded_maps.size()));
    for (const auto& map : encoded_maps) body_.write(map.data(), map.size());
}

std::string MapWriter::finish() const {
    msgpack::sbuffer header;
    msgpack::packer<msgpack::sbuffer>(header).pack_map(entries_);
    std::string map;
    map.reserve(header.size() + body_.size());
    map.append(header.data(), header.size());
    map.append(body_.data(), body_.size());
    return map;
}

}  // namespace fmg::protocol::detail
