#include "shared/pipeline/yaml_reader.h"

#include <unordered_map>
#include <utility>

#include "shared/pipeline/constants.h"
#include "shared/pipeline/text.h"

namespace fmg::pipeline::detail {

namespace {

// Merge keys may merge maps that merge maps; a chain of anchors could otherwise recurse as
// deep as the file is long.
constexpr int kMaxMergeDepth = 32;

constexpr std::string_view kMergeKey = "<<";
constexpr std::string_view kNonSpecificTag = "!";  // what yaml-cpp tags quoted scalars with

bool is_merge_key(const YAML::Node& key) {
    return key.IsScalar() && key.Scalar() == kMergeKey && key.Tag() != kNonSpecificTag;
}

std::string kind_name(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Map:
            return "a map";
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Scalar:
            return "a string";
        case YAML::NodeType::Null:
        case YAML::NodeType::Undefined:
            break;
    }
    return "empty";
}

}  // namespace

const YAML::Node& Entry::where() const {
    return value.IsDefined() && !value.IsNull() ? value : key_node;
}

YamlReader::YamlReader(std::string file_name) : file_name_(std::move(file_name)) {}

ParseError YamlReader::error_at(const YAML::Node& node, std::string message) const {
    return error_at_mark(node.IsDefined() ? node.Mark() : YAML::Mark::null_mark(),
                         std::move(message));
}

ParseError YamlReader::error_at_mark(const YAML::Mark& mark, std::string message) const {
    ParseError error;
    error.file = file_name_;
    if (mark.line >= 0 && mark.column >= 0) {
        error.line = mark.line + 1;
        error.column = mark.column + 1;
    }
    error.message = std::move(message);
    return error;
}

Problem YamlReader::visit(const YAML::Node& node) {
    if (++spent_.nodes <= kMaxVisitedNodes) return std::nullopt;
    return error_at(node, "config too large: more than " + std::to_string(kMaxVisitedNodes) +
                              " YAML nodes to read (are aliases repeating large parts?)");
}

Problem YamlReader::read_map(const YAML::Node& node, const YAML::Node& where, std::string_view what,
                             std::vector<Entry>& out) {
    out.clear();
    return read_map_merging(node, where, what, 0, out);
}

Problem YamlReader::read_map(const Entry& entry, std::vector<Entry>& out) {
    return read_map(entry.value, entry.where(), quoted(entry.key), out);
}

Problem YamlReader::read_map_merging(const YAML::Node& node, const YAML::Node& where,
                                     std::string_view what, int merge_depth,
                                     std::vector<Entry>& out) {
    if (!node.IsMap()) {
        return error_at(where, std::string(what) + " must be a map, but it is " + kind_name(node));
    }
    std::vector<Entry> merges;
    std::unordered_map<std::string, std::size_t> index;  // key -> position in out
    for (auto it = node.begin(); it != node.end(); ++it) {
        if (auto problem = visit(it->first)) return problem;
        Entry entry{{}, it->first, it->second};
        if (is_merge_key(entry.key_node)) {
            merges.push_back(std::move(entry));
            continue;
        }
        if (!entry.key_node.IsScalar()) {
            return error_at(entry.key_node, "keys in " + std::string(what) +
                                                " must be strings, not " +
                                                kind_name(entry.key_node));
        }
        entry.key = entry.key_node.Scalar();
        const auto [seen, inserted] = index.emplace(entry.key, out.size());
        if (!inserted) {
            const int first_line = out[seen->second].key_node.Mark().line + 1;
            return error_at(entry.key_node, "duplicate key " + quoted(entry.key) + " in " +
                                                std::string(what) + " (first at line " +
                                                std::to_string(first_line) + ")");
        }
        out.push_back(std::move(entry));
    }
    for (const Entry& merge : merges) {
        if (auto problem = merge_into(merge, merge_depth, index, out)) return problem;
    }
    return std::nullopt;
}

Problem YamlReader::merge_into(const Entry& merge, int merge_depth,
                               std::unordered_map<std::string, std::size_t>& index,
                               std::vector<Entry>& out) {
    if (merge_depth >= kMaxMergeDepth) {
        return error_at(merge.key_node, "merge keys (<<) nest deeper than " +
                                            std::to_string(kMaxMergeDepth) + " levels");
    }
    std::vector<YAML::Node> sources;
    if (merge.value.IsSequence()) {
        for (const YAML::Node& source : merge.value) {
            if (auto problem = visit(source)) return problem;
            sources.push_back(source);
        }
    } else {
        sources.push_back(merge.value);
    }
    for (const YAML::Node& source : sources) {
        std::vector<Entry> merged;
        const YAML::Node& where = source.IsNull() ? merge.key_node : source;
        if (auto problem =
                read_map_merging(source, where, "a merge (<<) source", merge_depth + 1, merged)) {
            return problem;
        }
        for (Entry& entry : merged) {
            if (index.emplace(entry.key, out.size()).second) out.push_back(std::move(entry));
        }
    }
    return std::nullopt;
}

Problem YamlReader::read_sequence(const YAML::Node& node, const YAML::Node& where,
                                  std::string_view what, std::vector<YAML::Node>& out) {
    out.clear();
    if (!node.IsSequence()) {
        return error_at(where, std::string(what) + " must be a list, but it is " + kind_name(node));
    }
    for (const YAML::Node& item : node) {
        if (auto problem = visit(item)) return problem;
        out.push_back(item);
    }
    return std::nullopt;
}

Problem YamlReader::read_sequence(const Entry& entry, std::vector<YAML::Node>& out) {
    return read_sequence(entry.value, entry.where(), quoted(entry.key), out);
}

Problem YamlReader::read_scalar(const YAML::Node& node, const YAML::Node& where,
                                std::string_view what, std::string& out) {
    if (auto problem = visit(where)) return problem;
    if (node.IsNull()) {
        return error_at(where, std::string(what) + " has no value (write \"\" for an empty one)");
    }
    if (!node.IsScalar()) {
        return error_at(where,
                        std::string(what) + " must be a string, but it is " + kind_name(node));
    }
    spent_.bytes += static_cast<int64_t>(node.Scalar().size());
    if (spent_.bytes > kMaxReadBytes) {
        return error_at(where, "config too large: more than " + std::to_string(kMaxReadBytes) +
                                   " bytes of text to read (are aliases repeating large parts?)");
    }
    out = node.Scalar();
    return std::nullopt;
}

Problem YamlReader::read_scalar(const Entry& entry, std::string& out) {
    return read_scalar(entry.value, entry.where(), quoted(entry.key), out);
}

Problem YamlReader::read_string_list(const Entry& entry, std::vector<std::string>& out,
                                     std::vector<YAML::Node>& nodes) {
    out.clear();
    nodes.clear();
    if (!entry.value.IsSequence()) {
        std::string single;
        if (auto problem = read_scalar(entry, single)) return problem;
        out.push_back(std::move(single));
        nodes.push_back(entry.value);
        return std::nullopt;
    }
    std::vector<YAML::Node> items;
    if (auto problem = read_sequence(entry, items)) return problem;
    for (const YAML::Node& item : items) {
        std::string text;
        if (auto problem = read_scalar(item, item, "each item of " + quoted(entry.key), text)) {
            return problem;
        }
        out.push_back(std::move(text));
        nodes.push_back(item);
    }
    return std::nullopt;
}

ParseError YamlReader::unsupported(const Entry& entry, std::string_view where_in) const {
    return error_at(entry.key_node, quoted(entry.key) + " in " + std::string(where_in) +
                                        " is not supported by fmg");
}

ParseError YamlReader::unknown_key(const Entry& entry, std::string_view where_in,
                                   std::string_view expected) const {
    return error_at(entry.key_node, "unknown key " + quoted(entry.key) + " in " +
                                        std::string(where_in) + " (expected " +
                                        std::string(expected) + ")");
}

}  // namespace fmg::pipeline::detail
