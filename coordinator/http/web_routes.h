#pragma once
// The dashboard's routes (docs/dashboard.md): its pages, its static files, and logging in and
// out. Sessions (store/session_store.h) authenticate a browser as a token would; a form that
// changes something carries the session's CSRF value and comes from this origin.

#include <string>

#include "coordinator/http/responses.h"

namespace fmg::coordinator::http {

/// Whether `path` is one of the dashboard's: `/`, `/login`, `/logout`, `/static/...`.
bool is_web_path(const std::string& path);

/// Answers a request for a dashboard path.
void route_web(HttpContext& context, HTTPServerRequest& request, HTTPServerResponse& response);

}  // namespace fmg::coordinator::http
