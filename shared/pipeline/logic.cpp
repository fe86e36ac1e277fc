#include "shared/pipeline/logic.h"

#include <regex>
#include <string>
#include <vector>

#include "shared/pipeline/constants.h"
#include "shared/pipeline/patterns.h"
#include "shared/pipeline/text.h"

namespace fmg::pipeline::detail {

namespace {

// Logic statements nest as deep as their YAML does; a bound keeps a hostile config from
// using the whole stack.
constexpr int kMaxLogicDepth = 32;

bool is_truthy(const Node& value) {
    if (!value.is_scalar()) return value.is_defined() && !value.is_null();
    const std::string& text = value.text();
    return !(text.empty() || text == "false" || text == "False" || text == "FALSE" || text == "0" ||
             text == "NaN" || text == "null" || text == "~");
}

// Two values are equal when they are the same text, or the same map/list item by item.
bool same_value(const Node& a, const Node& b) {
    if (a.kind() != b.kind()) return false;
    if (a.is_scalar()) return a.text() == b.text();
    if (a.is_sequence()) {
        if (a.items().size() != b.items().size()) return false;
        for (std::size_t i = 0; i < a.items().size(); ++i) {
            if (!same_value(a.items()[i], b.items()[i])) return false;
        }
        return true;
    }
    if (a.is_map()) {
        if (a.pairs().size() != b.pairs().size()) return false;
        for (std::size_t i = 0; i < a.pairs().size(); ++i) {
            if (a.pairs()[i].first.text() != b.pairs()[i].first.text() ||
                !same_value(a.pairs()[i].second, b.pairs()[i].second)) {
                return false;
            }
        }
    }
    return true;
}

struct Evaluation {
    YamlReader& reader;
    const ExpressionVariables* pipeline;  // null: expressions are not allowed here
};

Problem evaluate(const Evaluation& e, const Node& statement, int depth, bool& out);

Problem evaluate_list(const Evaluation& e, const Entry& entry, int depth, bool all, bool& out) {
    YamlReader& reader = e.reader;
    std::vector<Node> items;
    if (auto problem = reader.read_sequence(entry, items)) return problem;
    out = all && !items.empty();
    for (const Node& item : items) {
        bool value = false;
        if (auto problem = evaluate(e, item, depth + 1, value)) return problem;
        if (all && !value) out = false;
        if (!all && value) out = true;
    }
    return std::nullopt;
}

Problem evaluate_matches(YamlReader& reader, const Entry& entry, bool& out) {
    std::vector<Entry> fields;
    if (auto problem = reader.read_map(entry, fields)) return problem;
    std::string pattern;
    std::string value;
    const Node* pattern_at = nullptr;
    bool has_value = false;
    for (const Entry& field : fields) {
        if (field.key == "pattern") {
            if (auto problem = reader.read_scalar(field, pattern)) return problem;
            pattern_at = &field.where();
        } else if (field.key == "value") {
            // An empty value (a pipeline value that is not set) matches like "".
            if (!field.value.is_null()) {
                if (auto problem = reader.read_scalar(field, value)) return problem;
            }
            has_value = true;
        } else {
            return reader.unknown_key(field, "`matches`", "pattern and value");
        }
    }
    if (pattern_at == nullptr || !has_value) {
        return reader.error_at(entry.key_node, "`matches` needs a `pattern` and a `value`");
    }
    // CircleCI's patterns are Java regexes written with or without slashes.
    if (pattern.size() >= 2 && pattern.front() == '/' && pattern.back() == '/') {
        pattern = pattern.substr(1, pattern.size() - 2);
    }
    std::size_t states = 0;
    auto compiled = NamePattern::parse("/" + pattern + "/", states);
    if (!compiled) return reader.error_at(*pattern_at, compiled.error().message);
    out = compiled->matches(value);
    return std::nullopt;
}

Problem evaluate(const Evaluation& e, const Node& statement, int depth, bool& out) {
    YamlReader& reader = e.reader;
    if (auto problem = reader.visit(statement)) return problem;
    if (depth > kMaxLogicDepth) {
        return reader.error_at(statement, "logic statement nested deeper than " +
                                              std::to_string(kMaxLogicDepth) + " levels");
    }
    if (!statement.is_map()) {
        if (statement.is_sequence()) {
            return reader.error_at(statement,
                                   "a logic statement is a value or a map with one of and, or, "
                                   "not, equal, matches; not a list");
        }
        if (statement.is_scalar() && looks_like_expression(statement.text())) {
            if (e.pipeline != nullptr) {
                return evaluate_expression(reader, statement, *e.pipeline, out);
            }
            return reader.error_at(statement,
                                   "expressions (" + quoted(statement.text()) +
                                       ") work in a workflow's `when`/`unless` and a workflow "
                                       "job's `filters`; a step's condition is a logic "
                                       "statement: {equal: [main, << pipeline.git.branch >>]}");
        }
        out = is_truthy(statement);
        return std::nullopt;
    }
    std::vector<Entry> entries;
    if (auto problem = reader.read_map(statement, statement, "a logic statement", entries)) {
        return problem;
    }
    if (entries.size() != 1) {
        return reader.error_at(statement,
                               "a logic statement has exactly one of and, or, not, "
                               "equal, matches");
    }
    const Entry& entry = entries.front();
    if (entry.key == "and") return evaluate_list(e, entry, depth, true, out);
    if (entry.key == "or") return evaluate_list(e, entry, depth, false, out);
    if (entry.key == "not") {
        bool inner = false;
        if (auto problem = evaluate(e, entry.value, depth + 1, inner)) return problem;
        out = !inner;
        return std::nullopt;
    }
    if (entry.key == "equal") {
        std::vector<Node> items;
        if (auto problem = reader.read_sequence(entry, items)) return problem;
        if (items.size() < 2) {
            return reader.error_at(entry.where(), "`equal` needs a list of two or more values");
        }
        out = true;
        for (const Node& item : items) out = out && same_value(items.front(), item);
        return std::nullopt;
    }
    if (entry.key == "matches") return evaluate_matches(reader, entry, out);
    return reader.unknown_key(entry, "a logic statement", "and, or, not, equal or matches");
}

}  // namespace

Problem evaluate_logic(YamlReader& reader, const Node& statement,
                       const ExpressionVariables* pipeline, bool& out) {
    return evaluate(Evaluation{reader, pipeline}, statement, 0, out);
}

}  // namespace fmg::pipeline::detail
