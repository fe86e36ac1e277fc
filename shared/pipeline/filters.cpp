#include "shared/pipeline/filters.h"

#include <algorithm>
#include <string>

#include "shared/pipeline/text.h"

namespace fmg::pipeline::detail {

namespace {

bool any_matches(const std::vector<NamePattern>& patterns, std::string_view name) {
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const NamePattern& pattern) { return pattern.matches(name); });
}

Problem read_patterns(YamlReader& reader, const Entry& entry, RegexBudget& budget,
                      std::vector<NamePattern>& out) {
    std::vector<std::string> texts;
    std::vector<Node> nodes;
    if (auto problem = reader.read_string_list(entry, texts, nodes)) return problem;
    if (texts.empty()) return reader.error_at(entry.where(), quoted(entry.key) + " is empty");
    for (std::size_t i = 0; i < texts.size(); ++i) {
        std::size_t states = 0;
        auto pattern = NamePattern::parse(texts[i], states);
        if (!pattern) return reader.error_at(nodes[i], pattern.error().message);
        if (states > budget.states_left) {
            return reader.error_at(nodes[i],
                                   "filter regular expressions are too complex together (more "
                                   "than " +
                                       std::to_string(kMaxConfigRegexStates) + " states)");
        }
        budget.states_left -= states;
        out.push_back(std::move(*pattern));
    }
    return std::nullopt;
}

Problem read_ref_filter(YamlReader& reader, const Entry& entry, RegexBudget& budget,
                        RefFilter& out) {
    out.present = true;
    std::vector<Entry> fields;
    if (auto problem = reader.read_map(entry, fields)) return problem;
    for (const Entry& field : fields) {
        Problem problem;
        if (field.key == "only") {
            problem = read_patterns(reader, field, budget, out.only);
        } else if (field.key == "ignore") {
            problem = read_patterns(reader, field, budget, out.ignore);
        } else {
            problem = reader.unknown_key(field, quoted(entry.key), "only or ignore");
        }
        if (problem) return problem;
    }
    return std::nullopt;
}

}  // namespace

bool RefFilter::allows(std::string_view name) const {
    if (!only.empty() && !any_matches(only, name)) return false;
    return !any_matches(ignore, name);
}

bool Filters::selects(const RefContext& ref) const {
    if (!ref.tag.empty()) {
        const bool says_something = !tags.only.empty() || !tags.ignore.empty();
        return tags.present && says_something && tags.allows(ref.tag);
    }
    if (!ref.branch.empty()) return !branches.present || branches.allows(ref.branch);
    return true;
}

Problem read_filters(YamlReader& reader, const Entry& filters, RegexBudget& budget, Filters& out) {
    std::vector<Entry> fields;
    if (auto problem = reader.read_map(filters, fields)) return problem;
    for (const Entry& field : fields) {
        Problem problem;
        if (field.key == "branches") {
            problem = read_ref_filter(reader, field, budget, out.branches);
        } else if (field.key == "tags") {
            problem = read_ref_filter(reader, field, budget, out.tags);
        } else {
            problem = reader.unknown_key(field, "`filters`", "branches or tags");
        }
        if (problem) return problem;
    }
    return std::nullopt;
}

}  // namespace fmg::pipeline::detail
