#pragma once
// Maps what went wrong talking to the coordinator to the message and exit code a user sees
// (SPEC "Exit codes"): 3 cannot reach or authenticate, 4 not found, 1 anything else refused.

#include <string>
#include <string_view>

#include "cli/api_result.h"
#include "cli/api_settings.h"

namespace fmg::cli {

/// The message inside a `{"error": "..."}` body; for any other body its first line, trimmed
/// and cut to a readable length; empty when the body has nothing to say.
std::string server_message(std::string_view body);

/// The error for an answer with a non-2xx `status` to `request` (e.g. "GET /api/v1/runners").
/// 401/403 name where the token was read from (or that there was none); 404 -> exit 4;
/// 502/503/504 -> exit 3 (a proxy in front cannot reach the coordinator); others -> exit 1.
ApiError error_for_status(int status, std::string_view body, std::string_view request,
                          const ApiSettings& settings);

/// The error for a coordinator that could not be reached at all (exit 3), with `reason`
/// from the network layer and a hint at --server-url.
ApiError unreachable_error(const ApiSettings& settings, std::string_view reason);

}  // namespace fmg::cli
