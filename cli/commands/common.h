#pragma once
// Helpers the commands share: reporting failures, reading ids, printing JSON, and the
// final states of pipelines and jobs.

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/api_client.h"
#include "cli/command.h"
#include "cli/views.h"

namespace fmg::cli {

/// Prints `fmg: MESSAGE` to stderr and returns the error's exit code.
int report(const CommandContext& context, const ApiError& error);

/// Prints `PROGRAM: MESSAGE` and a --help hint to stderr; returns exit code 2.
int usage_error(const CommandContext& context, const std::string& message);

/// A positive integer id, or nullopt for anything else ("5" yes; "#5", "-1", "x" no).
std::optional<int64_t> parse_id(std::string_view text);

/// The objects in the array `key` of a JSON object reply; exit 1 saying what is wrong when the
/// reply has another shape.
ApiResult<std::vector<Poco::JSON::Object::Ptr>> reply_items(const JsonReply& reply,
                                                            const std::string& key);

/// Prints the API's JSON exactly as it came, ending with a newline.
void print_json(const CommandContext& context, const JsonReply& reply);

/// GET /api/v1/pipelines/ID, decoded; `raw` (optional) receives the reply as it came.
/// An answer that does not decode is exit 1.
ApiResult<PipelineView> fetch_pipeline(ApiClient& api, int64_t id, JsonReply* raw = nullptr);

/// Whether a pipeline or job status will not change any more (success, failed, error,
/// cancelled, skipped).
bool is_final_status(std::string_view status);

}  // namespace fmg::cli
