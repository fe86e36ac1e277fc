#pragma once
// The API's JSON objects (SPEC "REST API"): pipelines, jobs with steps and attempts, runners.

#include <Poco/JSON/Object.h>

#include <vector>

#include "coordinator/store/database.h"
#include "coordinator/store/rows.h"

namespace fmg::coordinator::http {

/// A pipeline object; with `with_jobs`, its jobs with steps and attempts too.
Poco::JSON::Object::Ptr pipeline_json(Database& db, const PipelineRow& pipeline, bool with_jobs);
/// A runner object, with the attempts it runs, picked from `active_attempts` (those assigned
/// or running, read once per request however many runners are listed).
Poco::JSON::Object::Ptr runner_json(Database& db, const RunnerRow& runner,
                                    const std::vector<AttemptRow>& active_attempts);

}  // namespace fmg::coordinator::http
