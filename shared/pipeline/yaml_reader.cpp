#include "shared/pipeline/yaml_reader.h"

#include <utility>

#include "shared/pipeline/constants.h"
#include "shared/pipeline/text.h"
#include "shared/pipeline/tree_loader.h"

namespace fmg::pipeline::detail {

namespace {

std::string kind_name(const Node& node) {
    switch (node.kind()) {
        case Node::Kind::map:
            return "a map";
        case Node::Kind::sequence:
            return "a list";
        case Node::Kind::scalar:
            return "a string";
        case Node::Kind::null:
        case Node::Kind::absent:
            break;
    }
    return "empty";
}

}  // namespace

const Node& Entry::where() const {
    return value.is_defined() && !value.is_null() ? value : key_node;
}

YamlReader::YamlReader(std::string file_name) : file_names_{std::move(file_name)} {}

int YamlReader::add_file(std::string file_name) {
    file_names_.push_back(std::move(file_name));
    return static_cast<int>(file_names_.size()) - 1;
}

ParseError YamlReader::error_at(const Node& node, std::string message) const {
    const Position at = node.position();
    const std::size_t file = at.file >= 0 && static_cast<std::size_t>(at.file) < file_names_.size()
                                 ? static_cast<std::size_t>(at.file)
                                 : 0;
    return error_at_position(file_names_[file], at, std::move(message));
}

Problem YamlReader::visit(const Node& node) {
    if (++spent_.nodes <= kMaxVisitedNodes) return std::nullopt;
    return error_at(node, "config too large: more than " + std::to_string(kMaxVisitedNodes) +
                              " YAML nodes to read (are aliases repeating large parts?)");
}

Problem YamlReader::read_map(const Node& node, const Node& where, std::string_view what,
                             std::vector<Entry>& out) {
    out.clear();
    if (!node.is_map()) {
        return error_at(where, std::string(what) + " must be a map, but it is " + kind_name(node));
    }
    for (const Node::Pair& pair : node.pairs()) {
        if (auto problem = visit(pair.first)) return problem;
        out.push_back(Entry{pair.first.text(), pair.first, pair.second});
    }
    return std::nullopt;
}

Problem YamlReader::read_map(const Entry& entry, std::vector<Entry>& out) {
    return read_map(entry.value, entry.where(), quoted(entry.key), out);
}

Problem YamlReader::read_sequence(const Node& node, const Node& where, std::string_view what,
                                  std::vector<Node>& out) {
    out.clear();
    if (!node.is_sequence()) {
        return error_at(where, std::string(what) + " must be a list, but it is " + kind_name(node));
    }
    for (const Node& item : node.items()) {
        if (auto problem = visit(item)) return problem;
        out.push_back(item);
    }
    return std::nullopt;
}

Problem YamlReader::read_sequence(const Entry& entry, std::vector<Node>& out) {
    return read_sequence(entry.value, entry.where(), quoted(entry.key), out);
}

Problem YamlReader::read_scalar(const Node& node, const Node& where, std::string_view what,
                                std::string& out) {
    if (auto problem = visit(where)) return problem;
    if (node.is_null()) {
        return error_at(where, std::string(what) + " has no value (write \"\" for an empty one)");
    }
    if (!node.is_scalar()) {
        return error_at(where,
                        std::string(what) + " must be a string, but it is " + kind_name(node));
    }
    spent_.bytes += static_cast<int64_t>(node.text().size());
    if (spent_.bytes > kMaxReadBytes) {
        return error_at(where, "config too large: more than " + std::to_string(kMaxReadBytes) +
                                   " bytes of text to read (are aliases repeating large parts?)");
    }
    out = node.text();
    return std::nullopt;
}

Problem YamlReader::read_scalar(const Entry& entry, std::string& out) {
    return read_scalar(entry.value, entry.where(), quoted(entry.key), out);
}

Problem YamlReader::read_string_list(const Entry& entry, std::vector<std::string>& out,
                                     std::vector<Node>& nodes) {
    out.clear();
    nodes.clear();
    if (!entry.value.is_sequence()) {
        std::string single;
        if (auto problem = read_scalar(entry, single)) return problem;
        out.push_back(std::move(single));
        nodes.push_back(entry.value);
        return std::nullopt;
    }
    std::vector<Node> items;
    if (auto problem = read_sequence(entry, items)) return problem;
    for (const Node& item : items) {
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
                                        std::string(where_in) +
                                        did_you_mean(entry.key, listed_names(expected)) +
                                        " (expected " + std::string(expected) + ")");
}

}  // namespace fmg::pipeline::detail
