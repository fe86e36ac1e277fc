#include "shared/pipeline/substitution.h"

#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

#include "shared/pipeline/text.h"

namespace fmg::pipeline::detail {

namespace {

bool is_name_char(char c) {
    return c == '_' || c == '-' || c == '.' || is_ascii_digit(c) || (c >= 'A' && c <= 'Z') ||
           (c >= 'a' && c <= 'z');
}

// One `<< a.b >>` found in text: where it starts and ends, and the name inside.
struct Reference {
    std::size_t begin = 0;
    std::size_t end = 0;  // one past `>>`
    std::string name;
};

// The reference starting at `at` (which holds `<<`), if the text there is one.
std::optional<Reference> reference_at(std::string_view text, std::size_t at) {
    std::size_t i = at + 2;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    const std::size_t name_begin = i;
    while (i < text.size() && is_name_char(text[i])) ++i;
    const std::string_view name = text.substr(name_begin, i - name_begin);
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (name.empty() || name.find('.') == std::string_view::npos || text.substr(i, 2) != ">>") {
        return std::nullopt;
    }
    return Reference{at, i + 2, std::string(name)};
}

const Node* lookup(const References& references, const std::string& name, std::string& why) {
    const auto find_in = [&](const std::map<std::string, Node>* map, std::string_view prefix,
                             std::string_view what) -> const Node* {
        const std::string key = name.substr(prefix.size());
        if (map == nullptr) {
            why = std::string(what) + " are not available here";
            return nullptr;
        }
        const auto it = map->find(key);
        if (it == map->end()) {
            why = "no such " + std::string(what).substr(0, what.size() - 1);
            return nullptr;
        }
        return &it->second;
    };
    if (name.rfind("parameters.", 0) == 0)
        return find_in(references.parameters, "parameters.", "parameters");
    if (name.rfind("matrix.", 0) == 0)
        return find_in(references.matrix, "matrix.", "matrix parameters");
    if (name.rfind("pipeline.", 0) == 0)
        return find_in(references.pipeline, "pipeline.", "pipeline values");
    why = "references start with parameters., pipeline. or matrix.";
    return nullptr;
}

Problem substitute_scalar(YamlReader& reader, const Node& node, const References& references,
                          Node& out) {
    const std::string& text = node.text();
    if (text.find("<<") == std::string::npos) {
        out = node;
        return std::nullopt;
    }
    std::string result;
    std::size_t copied = 0;
    bool changed = false;
    for (std::size_t at = text.find("<<"); at != std::string::npos; at = text.find("<<", at)) {
        if (at > 0 && text[at - 1] == '\\') {
            // `\<<`: the backslash goes, the `<<` stays as written.
            result.append(text, copied, at - 1 - copied);
            result += "<<";
            copied = at + 2;
            at += 2;
            changed = true;
            continue;
        }
        const auto reference = reference_at(text, at);
        if (!reference) {
            at += 2;
            continue;
        }
        std::string why;
        const Node* value = lookup(references, reference->name, why);
        if (value == nullptr) {
            return reader.error_at(
                node, "unknown reference `<< " + reference->name + " >>` (" + why + ")");
        }
        if (reference->begin == 0 && reference->end == text.size() && !value->is_scalar()) {
            // The whole scalar is the reference: the value's node takes its place.
            out = value->is_null() ? Node::scalar("", node.position()) : *value;
            return std::nullopt;
        }
        if (!value->is_scalar() && !value->is_null()) {
            return reader.error_at(
                node, "`<< " + reference->name + " >>` is a list or map and cannot go into text");
        }
        result.append(text, copied, reference->begin - copied);
        result += value->text();
        copied = reference->end;
        at = reference->end;
        changed = true;
    }
    if (!changed) {
        out = node;
        return std::nullopt;
    }
    result.append(text, copied, std::string::npos);
    out = Node::scalar(std::move(result), node.position(), node.quoted());
    return std::nullopt;
}

}  // namespace

Problem substitute(YamlReader& reader, const Node& node, const References& references, Node& out) {
    if (auto problem = reader.visit(node)) return problem;
    switch (node.kind()) {
        case Node::Kind::scalar:
            return substitute_scalar(reader, node, references, out);
        case Node::Kind::sequence: {
            std::vector<Node> items;
            items.reserve(node.items().size());
            for (const Node& item : node.items()) {
                Node replaced;
                if (auto problem = substitute(reader, item, references, replaced)) return problem;
                items.push_back(std::move(replaced));
            }
            out = Node::sequence(std::move(items), node.position());
            return std::nullopt;
        }
        case Node::Kind::map: {
            std::vector<Node::Pair> pairs;
            pairs.reserve(node.pairs().size());
            for (const Node::Pair& pair : node.pairs()) {
                Node key;
                Node value;
                if (auto problem = substitute(reader, pair.first, references, key)) return problem;
                if (!key.is_scalar()) {
                    return reader.error_at(pair.first, "a key must stay text after substitution");
                }
                if (auto problem = substitute(reader, pair.second, references, value)) {
                    return problem;
                }
                pairs.emplace_back(std::move(key), std::move(value));
            }
            out = Node::map(std::move(pairs), node.position());
            return std::nullopt;
        }
        case Node::Kind::null:
        case Node::Kind::absent:
            break;
    }
    out = node;
    return std::nullopt;
}

}  // namespace fmg::pipeline::detail
