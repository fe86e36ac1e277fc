#include "coordinator/http/pipeline_parameters.h"

#include <Poco/Dynamic/Var.h>

#include <optional>

namespace fmg::coordinator::http {
namespace {

/// The text of a parameter value, or nullopt for a type a parameter cannot have.
std::optional<std::string> value_text(const Poco::Dynamic::Var& value) {
    if (value.isString()) return value.extract<std::string>();
    if (value.isBoolean()) return value.extract<bool>() ? "true" : "false";
    if (value.isInteger()) return value.convert<std::string>();
    return std::nullopt;
}

bool has_nul(const std::string& text) {
    return text.find('\0') != std::string::npos;
}

}  // namespace

Result<std::map<std::string, std::string>> read_pipeline_parameters(
    const Poco::JSON::Object::Ptr& body) {
    std::map<std::string, std::string> parameters;
    if (!body || !body->has("parameters") || body->isNull("parameters")) return parameters;
    if (!body->isObject("parameters")) {
        return Error{"parameters must be an object of NAME: value"};
    }
    const Poco::JSON::Object::Ptr given = body->getObject("parameters");
    if (given->size() > kMaxPipelineParameters) {
        return Error{"at most " + std::to_string(kMaxPipelineParameters) +
                     " parameters may be given; got " + std::to_string(given->size())};
    }
    for (const auto& [name, value] : *given) {
        if (name.empty()) return Error{"a parameter name may not be empty"};
        if (name.size() > kMaxParameterNameBytes || has_nul(name)) {
            return Error{"parameter names are at most " + std::to_string(kMaxParameterNameBytes) +
                         " bytes, without NUL characters"};
        }
        const auto text = value_text(value);
        if (!text) {
            return Error{"parameter '" + name + "' must be a string, a boolean or an integer"};
        }
        if (text->size() > kMaxParameterValueBytes) {
            return Error{"parameter '" + name + "' is " + std::to_string(text->size()) +
                         " bytes; at most " + std::to_string(kMaxParameterValueBytes) +
                         " are allowed"};
        }
        if (has_nul(*text)) return Error{"parameter '" + name + "' holds a NUL character"};
        parameters[name] = *text;
    }
    return parameters;
}

}  // namespace fmg::coordinator::http
