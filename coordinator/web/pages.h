#pragma once
// The dashboard's pages (docs/dashboard.md), each a function from what the REST API reads to a
// whole HTML page (web/html.h). They query nothing themselves.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/store/rows.h"
#include "coordinator/web/html.h"

namespace fmg::coordinator::web {

/// `/login`: a form for an API token; `problem`, when set, says why the last try failed.
std::string login_page(const std::string& problem);

/// `/`: the newest pipelines (`total` match), for `viewer`.
std::string pipelines_page(const std::vector<PipelineRow>& pipelines, int64_t total,
                           const Viewer& viewer, int64_t now);

}  // namespace fmg::coordinator::web
