#include "protocol/detail/field_reader.h"

#include <limits>

namespace fmg::protocol::detail {

std::string quote_for_error(std::string_view text) {
    constexpr size_t kShown = 64;
    constexpr char kHex[] = "0123456789abcdef";
    std::string out = "'";
    for (size_t i = 0; i < text.size() && i < kShown; ++i) {
        auto byte = static_cast<unsigned char>(text[i]);
        if (byte < 0x20 || byte == 0x7f || byte == '\'' || byte == '\\') {
            out += "\\x";
            out += kHex[byte >> 4];
            out += kHex[byte & 0xf];
        } else {
            out += static_cast<char>(byte);
        }
    }
    if (text.size() > kShown) out += "...";
    return out + "'";
}

std::string_view describe(const msgpack::object& object) {
    switch (object.type) {
        case msgpack::type::NIL:
            return "nil";
        case msgpack::type::BOOLEAN:
            return "a boolean";
        case msgpack::type::POSITIVE_INTEGER:
            return "an unsigned integer";
        case msgpack::type::NEGATIVE_INTEGER:
            return "a negative integer";
        case msgpack::type::FLOAT32:
        case msgpack::type::FLOAT64:
            return "a float";
        case msgpack::type::STR:
            return "a str";
        case msgpack::type::BIN:
            return "a bin";
        case msgpack::type::ARRAY:
            return "an array";
        case msgpack::type::MAP:
            return "a map";
        case msgpack::type::EXT:
            return "an ext";
    }
    return "an unknown msgpack value";
}

FieldReader::FieldReader(std::string context, const msgpack::object_map& map, std::string path)
    : context_(std::move(context)), map_(map), path_(std::move(path)) {
    check_keys();
}

void FieldReader::check_keys() {
    for (uint32_t i = 0; i < map_.size; ++i) {
        const msgpack::object& key = map_.ptr[i].key;
        if (key.type != msgpack::type::STR) {
            std::string where =
                path_.empty() ? "" : " of '" + path_.substr(0, path_.size() - 1) + "'";
            error_ = Error{context_ + ": field names" + where + " must be strings (got " +
                           std::string(describe(key)) + ")"};
            return;
        }
    }
}

void FieldReader::fail(std::string_view key, std::string_view problem) {
    if (error_) return;
    error_ = Error{context_ + ": field '" + path_ + std::string(key) + "' " + std::string(problem)};
}

std::string_view FieldReader::str_of(const msgpack::object& object) {
    if (object.via.str.size == 0) return {};
    return {object.via.str.ptr, object.via.str.size};
}

bool FieldReader::has(std::string_view key) const {
    for (uint32_t i = 0; i < map_.size; ++i) {
        if (map_.ptr[i].key.type == msgpack::type::STR && str_of(map_.ptr[i].key) == key) {
            return true;
        }
    }
    return false;
}

const msgpack::object* FieldReader::find(std::string_view key) {
    if (error_) return nullptr;
    const msgpack::object* found = nullptr;
    for (uint32_t i = 0; i < map_.size; ++i) {
        if (str_of(map_.ptr[i].key) != key) continue;
        if (found != nullptr) {
            fail(key, "appears more than once");
            return nullptr;
        }
        found = &map_.ptr[i].val;
    }
    if (found == nullptr) {
        error_ = Error{context_ + ": missing field '" + path_ + std::string(key) + "'"};
    }
    return found;
}

const msgpack::object* FieldReader::find_typed(std::string_view key,
                                               msgpack::type::object_type type,
                                               std::string_view expected) {
    const msgpack::object* value = find(key);
    if (value == nullptr) return nullptr;
    if (value->type != type) {
        fail(key,
             "must be " + std::string(expected) + " (got " + std::string(describe(*value)) + ")");
        return nullptr;
    }
    return value;
}

namespace {

/// "is 2000 bytes long, more than the 1024-byte limit" or nothing when within `max_bytes`.
std::optional<std::string> oversize(size_t size, size_t max_bytes) {
    if (size <= max_bytes) return std::nullopt;
    return "is " + std::to_string(size) + " bytes long, more than the " +
           std::to_string(max_bytes) + "-byte limit";
}

}  // namespace

void FieldReader::text(std::string_view key, std::string& out, size_t max_bytes,
                       Emptiness emptiness) {
    const msgpack::object* value = find_typed(key, msgpack::type::STR, "a string (msgpack str)");
    if (value == nullptr) return;
    std::string_view bytes = str_of(*value);
    if (auto problem = oversize(bytes.size(), max_bytes)) return fail(key, *problem);
    if (bytes.empty() && emptiness == Emptiness::refused) return fail(key, "must not be empty");
    out.assign(bytes);
}

void FieldReader::binary(std::string_view key, std::string& out, size_t max_bytes) {
    const msgpack::object* value = find_typed(key, msgpack::type::BIN, "binary (msgpack bin)");
    if (value == nullptr) return;
    if (auto problem = oversize(value->via.bin.size, max_bytes)) return fail(key, *problem);
    if (value->via.bin.size == 0) {
        out.clear();
    } else {
        out.assign(value->via.bin.ptr, value->via.bin.size);
    }
}

void FieldReader::unsigned64(std::string_view key, uint64_t& out, uint64_t minimum) {
    const msgpack::object* value =
        find_typed(key, msgpack::type::POSITIVE_INTEGER, "an unsigned integer");
    if (value == nullptr) return;
    if (value->via.u64 < minimum) return fail(key, "must be at least " + std::to_string(minimum));
    out = value->via.u64;
}

void FieldReader::unsigned32(std::string_view key, uint32_t& out, uint32_t minimum) {
    uint64_t wide = 0;
    unsigned64(key, wide, minimum);
    if (!ok()) return;
    if (wide > std::numeric_limits<uint32_t>::max()) {
        return fail(key, "must be at most 4294967295 (an unsigned 32-bit integer)");
    }
    out = static_cast<uint32_t>(wide);
}

void FieldReader::signed64(std::string_view key, int64_t& out) {
    const msgpack::object* value = find(key);
    if (value == nullptr) return;
    if (value->type == msgpack::type::NEGATIVE_INTEGER) {
        out = value->via.i64;
    } else if (value->type != msgpack::type::POSITIVE_INTEGER) {
        fail(key, "must be an integer (got " + std::string(describe(*value)) + ")");
    } else if (value->via.u64 > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        fail(key, "must fit a signed 64-bit integer");
    } else {
        out = static_cast<int64_t>(value->via.u64);
    }
}

void FieldReader::signed32(std::string_view key, int32_t& out) {
    int64_t wide = 0;
    signed64(key, wide);
    if (!ok()) return;
    if (wide < std::numeric_limits<int32_t>::min() || wide > std::numeric_limits<int32_t>::max()) {
        return fail(key, "must fit a signed 32-bit integer");
    }
    out = static_cast<int32_t>(wide);
}

void FieldReader::attempt_id(std::string_view key, AttemptId& out) {
    const msgpack::object* value = find(key);
    if (value == nullptr) return;
    if (value->type != msgpack::type::POSITIVE_INTEGER || value->via.u64 == 0 ||
        value->via.u64 > static_cast<uint64_t>(std::numeric_limits<AttemptId>::max())) {
        return fail(key, "must be a positive 64-bit integer (an attempt id)");
    }
    out = static_cast<AttemptId>(value->via.u64);
}

void FieldReader::boolean(std::string_view key, bool& out) {
    const msgpack::object* value = find_typed(key, msgpack::type::BOOLEAN, "a boolean");
    if (value != nullptr) out = value->via.boolean;
}

void FieldReader::text_list(std::string_view key, std::vector<std::string>& out,
                            size_t max_item_bytes) {
    // The parser already bounded the item count by kMaxListItems (codec's unpack_limit).
    const msgpack::object* list = find_typed(key, msgpack::type::ARRAY, "an array");
    if (list == nullptr) return;
    std::vector<std::string> items;
    items.reserve(list->via.array.size);
    for (uint32_t i = 0; i < list->via.array.size; ++i) {
        const msgpack::object& element = list->via.array.ptr[i];
        std::string item_name = std::string(key) + "[" + std::to_string(i) + "]";
        if (element.type != msgpack::type::STR) {
            return fail(item_name, "must be a string (got " + std::string(describe(element)) + ")");
        }
        std::string_view bytes = str_of(element);
        if (auto problem = oversize(bytes.size(), max_item_bytes)) return fail(item_name, *problem);
        items.emplace_back(bytes);
    }
    out = std::move(items);
}

void FieldReader::attempt_ids(std::string_view key, std::vector<AttemptId>& out) {
    const msgpack::object* list = find_typed(key, msgpack::type::ARRAY, "an array");
    if (list == nullptr) return;
    std::vector<AttemptId> ids;
    ids.reserve(list->via.array.size);
    for (uint32_t i = 0; i < list->via.array.size; ++i) {
        const msgpack::object& element = list->via.array.ptr[i];
        if (element.type != msgpack::type::POSITIVE_INTEGER || element.via.u64 == 0 ||
            element.via.u64 > static_cast<uint64_t>(std::numeric_limits<AttemptId>::max())) {
            return fail(std::string(key) + "[" + std::to_string(i) + "]",
                        "must be a positive 64-bit integer (an attempt id)");
        }
        ids.push_back(static_cast<AttemptId>(element.via.u64));
    }
    out = std::move(ids);
}

void FieldReader::sha256(std::string_view key, std::string& out) {
    text(key, out, 64, Emptiness::refused);
    if (ok() && !is_sha256_hex(out)) fail(key, "must be 64 lowercase hexadecimal digits");
}

bool is_sha256_hex(std::string_view text) {
    return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

void FieldReader::positive_ids(std::string_view key, std::vector<uint64_t>& out) {
    const msgpack::object* list = find_typed(key, msgpack::type::ARRAY, "an array");
    if (list == nullptr) return;
    std::vector<uint64_t> ids;
    ids.reserve(list->via.array.size);
    for (uint32_t i = 0; i < list->via.array.size; ++i) {
        const msgpack::object& element = list->via.array.ptr[i];
        if (element.type != msgpack::type::POSITIVE_INTEGER || element.via.u64 == 0) {
            return fail(std::string(key) + "[" + std::to_string(i) + "]",
                        "must be a positive integer");
        }
        ids.push_back(element.via.u64);
    }
    out = std::move(ids);
}

void FieldReader::environment(std::string_view key, Environment& out) {
    const msgpack::object* map = find_typed(key, msgpack::type::MAP, "a map of strings");
    if (map == nullptr) return;
    Environment variables;
    for (uint32_t i = 0; i < map->via.map.size; ++i) {
        const msgpack::object_kv& entry = map->via.map.ptr[i];
        if (entry.key.type != msgpack::type::STR || entry.val.type != msgpack::type::STR) {
            return fail(key, "must map strings to strings (got " +
                                 std::string(describe(entry.key)) + " to " +
                                 std::string(describe(entry.val)) + ")");
        }
        std::string_view name = str_of(entry.key);
        std::string_view value = str_of(entry.val);
        std::string where = "has variable " + quote_for_error(name);
        if (name.empty()) return fail(key, "has a variable with an empty name");
        if (auto problem = oversize(name.size(), kMaxNameBytes)) {
            return fail(key, "has a variable name that " + *problem);
        }
        if (name.find_first_of(std::string_view("=\0", 2)) != std::string_view::npos) {
            return fail(key, where + " whose name contains '=' or NUL");
        }
        if (value.find('\0') != std::string_view::npos) {
            return fail(key, where + " whose value contains NUL");
        }
        if (auto problem = oversize(value.size(), kMaxTextBytes)) {
            return fail(key, where + " whose value " + *problem);
        }
        if (!variables.emplace(name, value).second) {
            return fail(key, where + " more than once");
        }
    }
    out = std::move(variables);
}

}  // namespace fmg::protocol::detail
