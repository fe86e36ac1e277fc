#pragma once
// CircleCI's expressions, which a 2.1 config may write as a workflow's `when`/`unless` and as a
// workflow job's `filters` (`pipeline.git.branch == "main" or pipeline.git.tag starts-with
// "v"`), evaluated offline against the pipeline's values. The language, as CircleCI documents
// it (its `expr` library): `or`, `and` (both short-circuit and give an operand's value),
// `==`, `!=`, `starts-with`, `matches /REGEX/`, `>=`, `>`, `<=`, `<` (whole numbers), `not`,
// parentheses; literals `true`, `false`, whole numbers and double-quoted strings (`\"` and
// `\\` escaped); identifiers `pipeline.NAME`. An unset pipeline value is `undefined`: neither
// equal nor unequal to anything, false where a truth is needed. Internal to shared/pipeline/.

#include <map>
#include <string>
#include <string_view>

#include "shared/pipeline/node.h"
#include "shared/pipeline/yaml_reader.h"

namespace fmg::pipeline::detail {

/// The values `pipeline.NAME` names, by NAME (`git.branch`, `parameters.deploy`, ...).
using ExpressionVariables = std::map<std::string, Node>;

/// Whether a scalar is written as an expression rather than a plain value: it scans as one
/// and has an operator, parentheses or a `pipeline.` name. `main`, `true` and `feature/x`
/// are plain values.
bool looks_like_expression(std::string_view text);

/// Evaluates the expression that is the text of `expression` to a truth. Fails, at
/// `expression` and saying at which character, on a malformed expression, an unknown
/// variable, operands of the wrong kind and a pattern that does not compile.
Problem evaluate_expression(YamlReader& reader, const Node& expression,
                            const ExpressionVariables& pipeline, bool& out);

}  // namespace fmg::pipeline::detail
