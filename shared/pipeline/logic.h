#pragma once
// Logic statements of 2.1 `when`/`unless` (steps and workflows), after substitution:
// a value, or one of `and`, `or`, `not`, `equal`, `matches`. Internal to shared/pipeline/.

#include "shared/pipeline/expressions.h"
#include "shared/pipeline/node.h"
#include "shared/pipeline/yaml_reader.h"

namespace fmg::pipeline::detail {

/// Evaluates `statement`. A value is false when it is `false`, `null`, empty, `0` or `NaN`
/// (as CircleCI reads them), true otherwise; `and`/`or` take a list (an empty one is false),
/// `not` one statement, `equal` a list of two or more values that must all be equal,
/// `matches` a map with `pattern` (a regular expression the whole `value` must match) and
/// `value`. Fails on any other map, a malformed operand or a pattern that does not compile
/// or is too costly. With `pipeline` (a workflow's `when`/`unless`), a value written as an
/// expression (`pipeline.git.branch == "main"`, expressions.h) is evaluated as one; without
/// it (a step's condition) such a value is an error saying where expressions work.
Problem evaluate_logic(YamlReader& reader, const Node& statement,
                       const ExpressionVariables* pipeline, bool& out);

}  // namespace fmg::pipeline::detail
