#pragma once
// Typed parameters of 2.1 configs: what a job, command, executor or the pipeline declares
// under `parameters`, and the values an invocation gives them. Internal to shared/pipeline/.

#include <map>
#include <string>
#include <vector>

#include "shared/pipeline/node.h"
#include "shared/pipeline/yaml_reader.h"

namespace fmg::pipeline::detail {

enum class ParameterType { string, boolean, integer, enumeration, steps, env_var_name, executor };

struct ParameterSpec {
    std::string name;
    ParameterType type = ParameterType::string;
    Node default_value;                    // absent: the parameter is required
    std::vector<std::string> enum_values;  // `enum` only
    Node where;                            // its key under `parameters`
};

/// Parameter values by name: scalars as text (booleans `true`/`false`, integers in decimal),
/// `steps` as a list of steps, `executor` as a name or a map.
using Bindings = std::map<std::string, Node>;

/// Reads a `parameters` map of declarations (`type`, `default`, `description`, `enum`). Fails
/// on an unknown type or key, a default of the wrong type, an enum without values.
Problem read_parameter_specs(YamlReader& reader, const Entry& parameters,
                             std::vector<ParameterSpec>& out);

/// Binds `arguments` (the invocation's `name: value` pairs) to `specs`: each value checked
/// against its type, defaults for the rest. Fails, at the argument or at `invocation`, on an
/// argument no parameter declares, a value of the wrong type, or a required parameter
/// without a value. `what` names the invoked thing for messages ("job `test`").
Problem bind_parameters(YamlReader& reader, const std::vector<ParameterSpec>& specs,
                        const std::vector<Entry>& arguments, const Node& invocation,
                        const std::string& what, Bindings& out);

/// The canonical value of `value` for a parameter of `spec`'s type, or a problem at `value`.
Problem check_value(YamlReader& reader, const ParameterSpec& spec, const Node& value,
                    const std::string& what, Node& out);

}  // namespace fmg::pipeline::detail
