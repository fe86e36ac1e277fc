#pragma once
// Turns the coordinator's JSON (SPEC "REST API") into views. Decoding is lenient about
// fields the CLI can live without (shown as empty) and strict about the few it cannot:
// a pipeline's and a runner's integer `id`.

#include <Poco/Dynamic/Var.h>

#include <vector>

#include "cli/views.h"
#include "shared/result.h"

namespace fmg::cli {

/// A pipeline object, with its `jobs` when present. Fails when `json` is not an object
/// with an integer `id`.
Result<PipelineView> decode_pipeline(const Poco::Dynamic::Var& json);

/// The answer of GET /api/v1/pipelines: `{"total": N, "data": [pipeline...]}`.
Result<std::vector<PipelineView>> decode_pipeline_list(const Poco::Dynamic::Var& json);

/// The answer of GET /api/v1/runners: `{"data": [runner...]}` or a bare array.
Result<std::vector<RunnerView>> decode_runner_list(const Poco::Dynamic::Var& json);

/// The integer `key` of a JSON object (e.g. `id` of `{"id": 7}`); fails when missing.
Result<int64_t> decode_integer_field(const Poco::Dynamic::Var& json, const char* key);

}  // namespace fmg::cli
