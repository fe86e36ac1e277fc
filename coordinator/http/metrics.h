#pragma once

#include <string>

#include "coordinator/http/http_context.h"

namespace fmg::coordinator::http {

/// GET /metrics in Prometheus text format: pipelines, jobs and attempts by state, runners by
/// state, queue depth and webhook results.
std::string render_metrics(HttpContext& context);

}  // namespace fmg::coordinator::http
