#pragma once
// Reads the fields of one msgpack map (a message, or a step inside `assign`) into wire
// structs, checking presence, msgpack type, range and size of each (PROTOCOL.md 3, 5).
// Errors are sticky: the first one is kept and every later read does nothing, so a decoder
// reads all its fields in a row and checks error() once at the end.

#include <array>
#include <cstdint>
#include <msgpack.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/detail/wire_names.h"
#include "protocol/messages.h"
#include "shared/result.h"

namespace fmg::protocol::detail {

/// Whether an empty string is acceptable for a str field.
enum class Emptiness { allowed, refused };

class FieldReader {
  public:
    /// `context` prefixes every error ("message 'log'"); `path` prefixes field names
    /// ("steps[2]."). `map` must outlive the reader. A map whose keys are not all str is an
    /// error right away.
    FieldReader(std::string context, const msgpack::object_map& map, std::string path = "");

    /// Each reads the REQUIRED field `key` into `out`; a missing, duplicate, mistyped or
    /// out-of-range field records an error and leaves `out` as it was.
    void text(std::string_view key, std::string& out, size_t max_bytes,
              Emptiness emptiness = Emptiness::allowed);
    void binary(std::string_view key, std::string& out, size_t max_bytes);
    void unsigned32(std::string_view key, uint32_t& out, uint32_t minimum = 0);
    void unsigned64(std::string_view key, uint64_t& out, uint64_t minimum = 0);
    void signed32(std::string_view key, int32_t& out);
    void signed64(std::string_view key, int64_t& out);
    /// An attempt id: an integer >= 1.
    void attempt_id(std::string_view key, AttemptId& out);
    void boolean(std::string_view key, bool& out);
    /// An array of str, each at most `max_item_bytes`.
    void text_list(std::string_view key, std::vector<std::string>& out, size_t max_item_bytes);
    /// A blob's digest: 64 lowercase hex digits (a SHA-256).
    void sha256(std::string_view key, std::string& out);
    /// An array of attempt ids.
    void attempt_ids(std::string_view key, std::vector<AttemptId>& out);
    /// An array of uint64 ids, each at least 1 (upload ids).
    void positive_ids(std::string_view key, std::vector<uint64_t>& out);
    /// A map from variable name to value (PROTOCOL.md 6.2: names non-empty, no '=' or NUL).
    void environment(std::string_view key, Environment& out);

    /// A str that must be one of `names`.
    template <typename Enum, size_t N>
    void enumeration(std::string_view key, Enum& out, const std::array<WireName<Enum>, N>& names);

    /// An array of maps, each read into an Item by `read_item(FieldReader&, Item&)` with a
    /// reader whose path is "key[i].".
    template <typename Item, typename ReadItem>
    void map_list(std::string_view key, std::vector<Item>& out, ReadItem read_item);

    /// Whether the map has a field `key`, for an OPTIONAL field (read it with the methods
    /// above only when it is there).
    bool has(std::string_view key) const;

    /// Records `problem` about field `key` unless an error is already recorded:
    /// "<context>: field '<path><key>' <problem>".
    void fail(std::string_view key, std::string_view problem);

    bool ok() const { return !error_.has_value(); }
    /// The first error recorded, if any.
    const std::optional<Error>& error() const { return error_; }

  private:
    /// The value of `key`, or null after recording "missing" or "duplicate".
    const msgpack::object* find(std::string_view key);
    /// Like find(), and also records an error unless the value has msgpack type `type`.
    const msgpack::object* find_typed(std::string_view key, msgpack::type::object_type type,
                                      std::string_view expected);
    void check_keys();
    static std::string_view str_of(const msgpack::object& object);

    std::string context_;
    const msgpack::object_map& map_;
    std::string path_;
    std::optional<Error> error_;
};

/// Whether `text` is a SHA-256 as the protocol spells it: 64 lowercase hex digits.
bool is_sha256_hex(std::string_view text);

/// `text` in single quotes for an error message: at most 64 bytes, control bytes escaped.
std::string quote_for_error(std::string_view text);

/// What a msgpack value is, for "(got ...)" in error messages.
std::string_view describe(const msgpack::object& object);

template <typename Enum, size_t N>
void FieldReader::enumeration(std::string_view key, Enum& out,
                              const std::array<WireName<Enum>, N>& names) {
    std::string name;
    text(key, name, kMaxNameBytes);
    if (!ok()) return;
    if (auto value = parse_wire_name(name, names)) {
        out = *value;
        return;
    }
    std::string problem = "must be one of";
    for (size_t i = 0; i < N; ++i) {
        problem += i == 0 ? " " : ", ";
        problem += names[i].name;
    }
    fail(key, problem + " (got " + quote_for_error(name) + ")");
}

template <typename Item, typename ReadItem>
void FieldReader::map_list(std::string_view key, std::vector<Item>& out, ReadItem read_item) {
    const msgpack::object* list = find_typed(key, msgpack::type::ARRAY, "an array");
    if (list == nullptr) return;
    std::vector<Item> items;
    items.reserve(list->via.array.size);
    for (uint32_t i = 0; i < list->via.array.size; ++i) {
        const msgpack::object& element = list->via.array.ptr[i];
        std::string item_name = std::string(key) + "[" + std::to_string(i) + "]";
        if (element.type != msgpack::type::MAP) {
            fail(item_name,
                 std::string("must be a map (got ") + std::string(describe(element)) + ")");
            return;
        }
        FieldReader item_reader(context_, element.via.map, path_ + item_name + ".");
        Item item;
        read_item(item_reader, item);
        if (!item_reader.ok()) {
            error_ = item_reader.error();
            return;
        }
        items.push_back(std::move(item));
    }
    out = std::move(items);
}

}  // namespace fmg::protocol::detail
