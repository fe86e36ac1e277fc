#pragma once
// The `parameters` of POST /api/v1/pipelines: the pipeline parameters a trigger gives
// (`pipeline.parameters.NAME` in a 2.1 config). They are stored with the pipeline as text;
// the config parser checks them against the config's declared parameters and types.

#include <Poco/JSON/Object.h>

#include <cstddef>
#include <map>
#include <string>

#include "shared/result.h"

namespace fmg::coordinator::http {

/// Most parameters one trigger may give.
inline constexpr std::size_t kMaxPipelineParameters = 100;
/// Longest parameter name, in bytes.
inline constexpr std::size_t kMaxParameterNameBytes = 128;
/// Longest parameter value, in bytes (as text).
inline constexpr std::size_t kMaxParameterValueBytes = 8 * 1024;

/// Reads `body.parameters`: absent or null is none; otherwise an object whose values are
/// strings, booleans or integers, each kept as text (`true`, `42`), as the parser reads a
/// parameter's value from YAML. An Error saying what is wrong when it is not an object, has
/// more than kMaxPipelineParameters entries, an empty or too long name, a value of another
/// type, a value over kMaxParameterValueBytes, or a NUL character in a name or value.
Result<std::map<std::string, std::string>> read_pipeline_parameters(
    const Poco::JSON::Object::Ptr& body);

}  // namespace fmg::coordinator::http
