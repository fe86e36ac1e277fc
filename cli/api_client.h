#pragma once

#include <Poco/URI.h>
// The coordinator's REST API over HTTP (SPEC "REST API"): every call carries the bearer
// token, and every failure comes back as an ApiError with its exit code and message.

#include <Poco/Dynamic/Var.h>

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/api_result.h"
#include "cli/api_settings.h"

namespace fmg::cli {

/// A successful JSON answer.
struct JsonReply {
    int status = 200;
    std::string body;         // the raw text, exactly as the API sent it (for --json)
    Poco::Dynamic::Var json;  // the parsed body; empty when the body was empty
};

/// Receives each piece of a streamed answer as soon as it arrives.
using ByteSink = std::function<void(std::string_view)>;

class ApiClient {
  public:
    /// `settings.server_url` must be an http:// URL (checked by the option parser); it may
    /// carry a path prefix, which is put before every API path.
    explicit ApiClient(ApiSettings settings);

    const ApiSettings& settings() const { return settings_; }

    /// GET `target` (path and query, e.g. "/api/v1/pipelines?limit=5") and parse its JSON.
    /// Fails with exit 3 when the coordinator cannot be reached or refuses the token, 4 on
    /// 404, 1 on other refusals and on answers that are not JSON.
    ApiResult<JsonReply> get(const std::string& target);

    /// POST `json_body` (empty: no body) to `target`; fails like get().
    ApiResult<JsonReply> post(const std::string& target, const std::string& json_body);

    /// PUT `body` as it is (Content-Type: application/octet-stream) to `target`: a secret's
    /// value, which is never JSON-quoted on the way. Fails like get().
    ApiResult<JsonReply> put_bytes(const std::string& target, const std::string& body);

    /// DELETE `target`; fails like get().
    ApiResult<JsonReply> remove(const std::string& target);

    /// GET `target` and hand the body to `sink` piece by piece as bytes arrive (a chunked
    /// answer is delivered chunk by chunk). With `live`, reads wait without limit, for
    /// streams that stay quiet while a job runs. Fails like get(); a connection that breaks
    /// mid-stream is exit 3.
    ApiResult<Done> stream(const std::string& target, const ByteSink& sink, bool live);

  private:
    ApiResult<JsonReply> exchange(const std::string& method, const std::string& target,
                                  const std::string& body,
                                  const std::string& content_type = "application/json");

    ApiSettings settings_;
    Poco::URI server_;       // scheme://host:port of the coordinator
    std::string base_path_;  // without a trailing slash; empty for "/"
};

/// "PATH?k=v&..." with each value percent-encoded; pairs with an empty value are left out.
std::string with_query(std::string path,
                       const std::vector<std::pair<std::string, std::string>>& query);

/// Percent-encodes `text` for use as one path segment (a job name, a host).
std::string path_segment(std::string_view text);

}  // namespace fmg::cli
