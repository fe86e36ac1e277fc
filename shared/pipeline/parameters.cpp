#include "shared/pipeline/parameters.h"

#include <algorithm>
#include <cstddef>
#include <string_view>

#include "shared/pipeline/text.h"

namespace fmg::pipeline::detail {

namespace {

struct TypeName {
    std::string_view name;
    ParameterType type;
};

constexpr TypeName kTypes[] = {
    {"string", ParameterType::string},     {"boolean", ParameterType::boolean},
    {"integer", ParameterType::integer},   {"enum", ParameterType::enumeration},
    {"steps", ParameterType::steps},       {"env_var_name", ParameterType::env_var_name},
    {"executor", ParameterType::executor},
};

// YAML 1.1 spellings of booleans (CircleCI's parser reads `yes`/`on` as true).
bool read_boolean(std::string_view text, bool& out) {
    static constexpr std::string_view kTrue[] = {"true", "True", "TRUE", "yes", "Yes",
                                                 "YES",  "on",   "On",   "ON"};
    static constexpr std::string_view kFalse[] = {"false", "False", "FALSE", "no", "No",
                                                  "NO",    "off",   "Off",   "OFF"};
    if (std::find(std::begin(kTrue), std::end(kTrue), text) != std::end(kTrue)) {
        out = true;
        return true;
    }
    if (std::find(std::begin(kFalse), std::end(kFalse), text) != std::end(kFalse)) {
        out = false;
        return true;
    }
    return false;
}

bool is_integer(std::string_view text) {
    if (!text.empty() && (text.front() == '-' || text.front() == '+')) text.remove_prefix(1);
    return !text.empty() && text.size() <= 18 &&
           std::all_of(text.begin(), text.end(), is_ascii_digit);
}

bool is_env_var_name(std::string_view text) {
    if (text.empty() || is_ascii_digit(text.front())) return false;
    return std::all_of(text.begin(), text.end(), [](char c) {
        return c == '_' || is_ascii_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    });
}

std::string type_name(ParameterType type) {
    for (const TypeName& known : kTypes) {
        if (known.type == type) return std::string(known.name);
    }
    return "string";
}

Problem read_spec(YamlReader& reader, const Entry& declaration, ParameterSpec& spec) {
    spec.name = declaration.key;
    spec.where = declaration.key_node;
    std::vector<Entry> fields;
    if (auto problem = reader.read_map(declaration, fields)) return problem;
    const Entry* type = nullptr;
    const Entry* default_value = nullptr;
    const Entry* enum_values = nullptr;
    for (const Entry& field : fields) {
        if (field.key == "type") {
            type = &field;
        } else if (field.key == "default") {
            default_value = &field;
        } else if (field.key == "enum") {
            enum_values = &field;
        } else if (field.key != "description") {
            return reader.unknown_key(field, "parameter " + quoted(spec.name),
                                      "type, default, description or enum");
        }
    }
    if (type == nullptr) {
        return reader.error_at(declaration.key_node,
                               "parameter " + quoted(spec.name) + " needs a `type`");
    }
    std::string type_text;
    if (auto problem = reader.read_scalar(*type, type_text)) return problem;
    const auto* known = std::find_if(std::begin(kTypes), std::end(kTypes),
                                     [&](const TypeName& t) { return t.name == type_text; });
    if (known == std::end(kTypes)) {
        return reader.error_at(type->where(),
                               "parameter type must be string, boolean, integer, enum, steps, "
                               "env_var_name or executor, not " +
                                   quoted(type_text));
    }
    spec.type = known->type;
    if (spec.type == ParameterType::enumeration) {
        if (enum_values == nullptr) {
            return reader.error_at(declaration.key_node,
                                   "enum parameter " + quoted(spec.name) + " needs `enum` values");
        }
        std::vector<Node> nodes;
        if (auto problem = reader.read_string_list(*enum_values, spec.enum_values, nodes)) {
            return problem;
        }
    } else if (enum_values != nullptr) {
        return reader.error_at(enum_values->key_node, "`enum` is only for parameters of type enum");
    }
    if (default_value != nullptr) {
        // `default:` with nothing is an empty default, as CircleCI reads it for strings.
        Node value = default_value->value;
        if (value.is_null() && spec.type != ParameterType::steps) {
            value = Node::scalar("", value.position());
        }
        if (value.is_null()) value = Node::sequence({}, value.position());
        // A default may be a pipeline value (`<< pipeline.parameters.x >>`): checked once the
        // expansion has put it in.
        if (value.is_scalar() && value.text().find("<<") != std::string::npos) {
            spec.default_value = value;
            return std::nullopt;
        }
        if (auto problem =
                check_value(reader, spec, value, "the default of parameter " + quoted(spec.name),
                            spec.default_value)) {
            return problem;
        }
    }
    return std::nullopt;
}

}  // namespace

Problem check_value(YamlReader& reader, const ParameterSpec& spec, const Node& value,
                    const std::string& what, Node& out) {
    const auto wrong = [&](const std::string& expected) {
        return reader.error_at(value, what + " must be " + expected + " (parameter " +
                                          quoted(spec.name) + " is of type " +
                                          type_name(spec.type) + ")");
    };
    switch (spec.type) {
        case ParameterType::steps:
            if (value.is_sequence()) {
                out = value;
                return std::nullopt;
            }
            if (value.is_null()) {
                out = Node::sequence({}, value.position());
                return std::nullopt;
            }
            return wrong("a list of steps");
        case ParameterType::executor:
            if (value.is_map() || (value.is_scalar() && !trim(value.text()).empty())) {
                out = value;
                return std::nullopt;
            }
            return wrong("an executor's name or a map with its `name`");
        default:
            break;
    }
    if (!value.is_scalar()) {
        if (value.is_null() && spec.type == ParameterType::string) {
            out = Node::scalar("", value.position());
            return std::nullopt;
        }
        return wrong("a single value");
    }
    const std::string& text = value.text();
    switch (spec.type) {
        case ParameterType::boolean: {
            bool flag = false;
            if (!read_boolean(text, flag)) return wrong("true or false");
            out = Node::scalar(flag ? "true" : "false", value.position());
            return std::nullopt;
        }
        case ParameterType::integer:
            if (!is_integer(text)) return wrong("an integer");
            out = Node::scalar(std::to_string(std::stoll(text)), value.position());
            return std::nullopt;
        case ParameterType::enumeration:
            if (std::find(spec.enum_values.begin(), spec.enum_values.end(), text) ==
                spec.enum_values.end()) {
                std::string allowed;
                for (const std::string& option : spec.enum_values) {
                    allowed += (allowed.empty() ? "" : ", ") + quoted(option);
                }
                return wrong("one of " + allowed + ", not " + quoted(text));
            }
            break;
        case ParameterType::env_var_name:
            if (!is_env_var_name(text)) {
                return wrong("an environment variable name ([A-Za-z_][A-Za-z0-9_]*), not " +
                             quoted(text));
            }
            break;
        default:
            break;
    }
    out = value;
    return std::nullopt;
}

Problem read_parameter_specs(YamlReader& reader, const Entry& parameters,
                             std::vector<ParameterSpec>& out) {
    out.clear();
    std::vector<Entry> declarations;
    if (auto problem = reader.read_map(parameters, declarations)) return problem;
    for (const Entry& declaration : declarations) {
        ParameterSpec spec;
        if (auto problem = read_spec(reader, declaration, spec)) return problem;
        out.push_back(std::move(spec));
    }
    return std::nullopt;
}

Problem bind_parameters(YamlReader& reader, const std::vector<ParameterSpec>& specs,
                        const std::vector<Entry>& arguments, const Node& invocation,
                        const std::string& what, Bindings& out) {
    out.clear();
    for (const Entry& argument : arguments) {
        const auto spec = std::find_if(specs.begin(), specs.end(), [&](const ParameterSpec& s) {
            return s.name == argument.key;
        });
        if (spec == specs.end()) {
            std::string declared;
            for (const ParameterSpec& s : specs)
                declared += (declared.empty() ? "" : ", ") + s.name;
            return reader.error_at(
                argument.key_node,
                what + " has no parameter " + quoted(argument.key) +
                    (declared.empty() ? " (it declares none)" : " (it declares " + declared + ")"));
        }
        Node value;
        if (auto problem = check_value(reader, *spec, argument.value,
                                       "argument " + quoted(argument.key) + " of " + what, value)) {
            return problem;
        }
        out[argument.key] = value;
    }
    for (const ParameterSpec& spec : specs) {
        if (out.count(spec.name) != 0) continue;
        if (!spec.default_value.is_defined()) {
            return reader.error_at(invocation, what + " needs a value for parameter " +
                                                   quoted(spec.name) + " (it has no default)");
        }
        out[spec.name] = spec.default_value;
    }
    return std::nullopt;
}

}  // namespace fmg::pipeline::detail
