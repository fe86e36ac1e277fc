#pragma once
// API answers shaped exactly as SPEC "REST API" describes them.

namespace fmg::cli::testing {

/// A failed pipeline: build succeeded, test failed on its second attempt after the first
/// was lost, deploy was skipped.
constexpr const char* kFailedPipeline = R"({
  "id": 5, "repo": "octo/repo", "repo_url": "https://github.com/octo/repo.git",
  "ref": "main", "sha": "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", "trigger": "push",
  "status": "failed", "failed_jobs": ["test"],
  "created_at": "2024-06-01T11:59:58.500Z", "started_at": "2024-06-01T12:00:00.000Z",
  "finished_at": "2024-06-01T12:03:40.250Z", "error": null,
  "jobs": [
    {"name": "build", "status": "success", "requires": [],
     "created_at": "2024-06-01T11:59:58.500Z",
     "started_at": "2024-06-01T12:00:00.100Z", "finished_at": "2024-06-01T12:01:30.100Z",
     "steps": [
       {"name": "checkout", "status": "success", "exit_code": 0,
        "started_at": "2024-06-01T12:00:01.000Z", "finished_at": "2024-06-01T12:00:02.200Z"},
       {"name": "make", "status": "success", "exit_code": 0,
        "started_at": "2024-06-01T12:00:02.200Z", "finished_at": "2024-06-01T12:01:30.000Z"}],
     "attempts": [
       {"id": 11, "number": 1, "runner": "build-01", "status": "success",
        "created_at": "2024-06-01T11:59:59.000Z",
        "started_at": "2024-06-01T12:00:00.100Z", "finished_at": "2024-06-01T12:01:30.100Z",
        "error": null}]},
    {"name": "test", "status": "failed", "requires": ["build"],
     "started_at": "2024-06-01T12:01:31.000Z", "finished_at": "2024-06-01T12:03:40.000Z",
     "steps": [
       {"name": "checkout", "status": "success", "exit_code": 0,
        "started_at": "2024-06-01T12:01:40.000Z", "finished_at": "2024-06-01T12:01:40.400Z"},
       {"name": "unit tests", "status": "failed", "exit_code": 2,
        "started_at": "2024-06-01T12:01:40.400Z", "finished_at": "2024-06-01T12:03:39.900Z"}],
     "attempts": [
       {"id": 12, "number": 1, "runner": "build-02", "status": "lost",
        "started_at": "2024-06-01T12:01:31.000Z", "finished_at": "2024-06-01T12:01:37.000Z",
        "error": "agent lost: silent 3012 ms"},
       {"id": 13, "number": 2, "runner": "build-01", "status": "failed",
        "started_at": "2024-06-01T12:01:39.000Z", "finished_at": "2024-06-01T12:03:40.000Z",
        "error": null}]},
    {"name": "deploy", "status": "skipped", "requires": ["test"],
     "started_at": null, "finished_at": null, "steps": [], "attempts": []}
  ]})";

/// GET /api/v1/pipelines: a running pipeline, a queued one, a finished one.
constexpr const char* kPipelineList = R"({"total": 42, "data": [
  {"id": 7, "repo": "octo/repo", "repo_url": "https://github.com/octo/repo.git",
   "ref": "refs/heads/feature/x", "sha": "0123456789abcdef0123456789abcdef01234567",
   "trigger": "manual", "status": "queued", "failed_jobs": [],
   "created_at": "2024-06-01T12:05:00.999Z", "started_at": null, "finished_at": null,
   "error": null},
  {"id": 6, "repo": "octo/other", "repo_url": "https://github.com/octo/other.git",
   "ref": "main", "sha": "fedcba9876543210fedcba9876543210fedcba98", "trigger": "pull_request",
   "status": "running", "failed_jobs": [],
   "created_at": "2024-06-01T12:04:00.000Z", "started_at": "2024-06-01T12:04:01.123Z",
   "finished_at": null, "error": null},
  {"id": 5, "repo": "octo/repo", "repo_url": "https://github.com/octo/repo.git",
   "ref": "main", "sha": "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", "trigger": "push",
   "status": "success", "failed_jobs": [],
   "created_at": "2024-06-01T11:59:58.500Z", "started_at": "2024-06-01T12:00:00.000Z",
   "finished_at": "2024-06-01T12:03:40.250Z", "error": null}
]})";

/// GET /api/v1/runners at 2024-06-01T12:00:10.000Z: one busy runner that also names its
/// jobs, one the API gives only attempt ids for, one that never sent a heartbeat.
constexpr const char* kRunnerList = R"({"data": [
  {"id": 1, "host": "localhost", "labels": ["docker"], "capacity": 2, "state": "online",
   "last_heartbeat_at": "2024-06-01T12:00:09.600Z", "running": [57], "version": "0.1.0",
   "running_jobs": [{"attempt_id": 57, "pipeline_id": 12, "job": "build"}]},
  {"id": 2, "host": "build-02", "labels": [], "capacity": 2, "state": "draining",
   "last_heartbeat_at": "2024-06-01T11:57:55.000Z", "running": [58, 59], "version": "0.1.0"},
  {"id": 3, "host": "build-03", "labels": [], "capacity": 4, "state": "offline",
   "last_heartbeat_at": null, "running": [], "version": null}
]})";

}  // namespace fmg::cli::testing
