#pragma once
// The /api/v1 endpoints (SPEC "REST API"), one function per endpoint. Each is called after the
// bearer token was authenticated and its role found strong enough, with the path split into
// segments. Those that create something the path does not name set caller.audit_detail.

#include <optional>
#include <string>
#include <vector>

#include "coordinator/http/responses.h"
#include "coordinator/store/secret_store.h"

namespace fmg::coordinator::http {

using Segments = std::vector<std::string>;

// pipelines_api.cpp
void list_pipelines(HttpContext& context, HTTPServerRequest& request, HTTPServerResponse& response);
void show_pipeline(HttpContext& context, int64_t id, HTTPServerResponse& response);
void create_pipeline(HttpContext& context, Caller& caller, HTTPServerRequest& request,
                     HTTPServerResponse& response);
void cancel_pipeline(HttpContext& context, int64_t id, HTTPServerResponse& response);
void retry_pipeline(HttpContext& context, Caller& caller, int64_t id, HTTPServerResponse& response);

// approve_api.cpp: job = nullopt approves every held job of the pipeline.
void approve_pipeline(HttpContext& context, const Caller& caller, int64_t id,
                      const std::optional<std::string>& job, HTTPServerResponse& response);

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
void register_runner(HttpContext& context, Caller& caller, HTTPServerRequest& request,
                     HTTPServerResponse& response);
void revoke_runner(HttpContext& context, const std::string& id_or_host,
                   HTTPServerResponse& response);

// tokens_api.cpp: the API tokens and the audit log.
void list_tokens(HttpContext& context, HTTPServerResponse& response);
void create_token(HttpContext& context, Caller& caller, HTTPServerRequest& request,
                  HTTPServerResponse& response);
void revoke_token(HttpContext& context, int64_t id, HTTPServerResponse& response);
void list_audit(HttpContext& context, HTTPServerRequest& request, HTTPServerResponse& response);

// secrets_api.cpp: secrets of contexts and repositories, and the key that seals them.
void list_contexts(HttpContext& context, HTTPServerResponse& response);
void list_secrets(HttpContext& context, const secrets::Scope& scope, HTTPServerResponse& response);
void set_secret(HttpContext& context, Caller& caller, const secrets::Scope& scope,
                const std::string& name, HTTPServerRequest& request, HTTPServerResponse& response);
void delete_secret(HttpContext& context, Caller& caller, const secrets::Scope& scope,
                   const std::string& name, HTTPServerResponse& response);
void rotate_key(HttpContext& context, Caller& caller, HTTPServerResponse& response);

/// Routes an /api/v1 request of `caller`: 403 when its token's role is too weak
/// (access/required_role.h), else the endpoint's answer (404 or 405 for paths and methods it
/// does not know); then records it in the audit log when it may have changed something.
void route_api(HttpContext& context, Caller& caller, HTTPServerRequest& request,
               HTTPServerResponse& response);

}  // namespace fmg::coordinator::http
