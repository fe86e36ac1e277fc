#pragma once
// Workflow job `filters`: which branch and tag pushes a job runs for (CircleCI semantics).
// Internal to shared/pipeline/.

#include <cstddef>
#include <vector>

#include "shared/pipeline/config.h"
#include "shared/pipeline/patterns.h"
#include "shared/pipeline/yaml_reader.h"

namespace fmg::pipeline::detail {

/// `branches:` or `tags:`.
struct RefFilter {
    bool present = false;  // the key was written
    std::vector<NamePattern> only;
    std::vector<NamePattern> ignore;

    /// Whether `name` passes: it matches an `only` value (when there are any) and no `ignore`
    /// value.
    bool allows(std::string_view name) const;
};

struct Filters {
    RefFilter branches;
    RefFilter tags;

    /// Whether the job runs for `ref`. A tag push runs only jobs with a `tags` filter that
    /// has `only` or `ignore` and allows the tag; a branch push runs jobs without `branches`
    /// filter or whose filter allows the branch; an empty ref selects everything.
    bool selects(const RefContext& ref) const;
};

/// What all filter regexes of a config may still cost, in automaton states.
struct RegexBudget {
    std::size_t states_left = kMaxConfigRegexStates;
};

/// Reads a `filters` entry: `branches` and `tags`, each with `only` and/or `ignore`, each a
/// string or a list of strings (`/.../` for a regex). Fails on unknown keys, bad regexes, and
/// once the config's regexes together exceed the budget.
Problem read_filters(YamlReader& reader, const Entry& filters, RegexBudget& budget, Filters& out);

}  // namespace fmg::pipeline::detail
