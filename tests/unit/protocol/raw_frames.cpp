#include "raw_frames.h"

namespace fmg::protocol::testing {

std::string packed_bin(std::string_view bytes) {
    msgpack::sbuffer buffer;
    msgpack::packer<msgpack::sbuffer> packer(buffer);
    packer.pack_bin(static_cast<uint32_t>(bytes.size()));
    packer.pack_bin_body(bytes.data(), static_cast<uint32_t>(bytes.size()));
    return {buffer.data(), buffer.size()};
}

std::string map_of(const std::vector<RawField>& fields) {
    msgpack::sbuffer buffer;
    msgpack::packer<msgpack::sbuffer> packer(buffer);
    packer.pack_map(static_cast<uint32_t>(fields.size()));
    for (const auto& field : fields) {
        packer.pack(field.key);
        buffer.write(field.value.data(), field.value.size());
    }
    return {buffer.data(), buffer.size()};
}

std::vector<RawField> fields_of(std::string_view frame) {
    msgpack::object_handle handle = msgpack::unpack(frame.data(), frame.size());
    const msgpack::object_map& map = handle.get().via.map;
    std::vector<RawField> fields;
    for (uint32_t i = 0; i < map.size; ++i) {
        fields.push_back({map.ptr[i].key.as<std::string>(), packed(map.ptr[i].val)});
    }
    return fields;
}

std::string with_field(std::string_view frame, std::string_view key, std::string value) {
    std::vector<RawField> fields = fields_of(frame);
    bool replaced = false;
    for (auto& field : fields) {
        if (field.key != key) continue;
        field.value = value;
        replaced = true;
    }
    if (!replaced) fields.push_back({std::string(key), std::move(value)});
    return map_of(fields);
}

std::string without_field(std::string_view frame, std::string_view key) {
    std::vector<RawField> fields = fields_of(frame);
    std::erase_if(fields, [&](const RawField& field) { return field.key == key; });
    return map_of(fields);
}

std::vector<std::string> elements_of(std::string_view array) {
    msgpack::object_handle handle = msgpack::unpack(array.data(), array.size());
    std::vector<std::string> elements;
    for (uint32_t i = 0; i < handle.get().via.array.size; ++i) {
        elements.push_back(packed(handle.get().via.array.ptr[i]));
    }
    return elements;
}

std::string array_of(const std::vector<std::string>& elements) {
    msgpack::sbuffer buffer;
    msgpack::packer<msgpack::sbuffer>(buffer).pack_array(static_cast<uint32_t>(elements.size()));
    for (const auto& element : elements) buffer.write(element.data(), element.size());
    return {buffer.data(), buffer.size()};
}

std::string field_value(std::string_view frame, std::string_view key) {
    for (const auto& field : fields_of(frame)) {
        if (field.key == key) return field.value;
    }
    return {};
}

}  // namespace fmg::protocol::testing
