#pragma once
// The /api/v1 endpoints (SPEC "REST API"), one function per endpoint. Each is called after the
// bearer token was checked, with the path split into segments.

#include <optional>
#include <string>
#include <vector>

#include "coordinator/http/responses.h"

namespace fmg::coordinator::http {

using Segments = std::vector<std::string>;

// pipelines_api.cpp
void list_pipelines(HttpContext& context, HTTPServerRequest& request, HTTPServerResponse& response);
void show_pipeline(HttpContext& context, int64_t id, HTTPServerResponse& response);
void create_pipeline(HttpContext& context, HTTPServerRequest& request,
                     HTTPServerResponse& response);
void cancel_pipeline(HttpContext& context, int64_t id, HTTPServerResponse& response);
void retry_pipeline(HttpContext& context, int64_t id, HTTPServerResponse& response);

// approve_api.cpp: job = nullopt approves every held job of the pipeline.
void approve_pipeline(HttpContext& context, int64_t id, const std::optional<std::string>& job,
                      HTTPServerRequest& request, HTTPServerResponse& response);

// logs_api.cpp
void job_log(HttpContext& context, int64_t pipeline_id, const std::string& job,
             HTTPServerRequest& request, HTTPServerResponse& response);

// store_api.cpp
void list_caches(HttpContext& context, HTTPServerRequest& request, HTTPServerResponse& response);
void list_evictions(HttpContext& context, HTTPServerRequest& request, HTTPServerResponse& response);

// artifacts_api.cpp
void list_artifacts(HttpContext& context, int64_t pipeline_id, const std::string& job,
                    HTTPServerResponse& response);
void get_artifact(HttpContext& context, int64_t pipeline_id, const std::string& job,
                  const std::string& path, HTTPServerRequest& request,
                  HTTPServerResponse& response);

// runners_api.cpp
void list_runners(HttpContext& context, HTTPServerResponse& response);
void register_runner(HttpContext& context, HTTPServerRequest& request,
                     HTTPServerResponse& response);
void revoke_runner(HttpContext& context, const std::string& id_or_host,
                   HTTPServerResponse& response);

/// Routes an /api/v1 request; answers 404 or 405 for paths and methods it does not know.
void route_api(HttpContext& context, HTTPServerRequest& request, HTTPServerResponse& response);

}  // namespace fmg::coordinator::http
