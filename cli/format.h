#pragma once
// Human output of the CLI (SPEC "fmg (CLI)"). Pure functions of the views and the current
// time, so every line can be tested exactly.

#include <cstdint>
#include <string>
#include <string_view>

#include "cli/views.h"
#include "shared/display.h"  // short_sha, short_ref, format_duration, format_time_s

namespace fmg::cli {

/// An API time (`2024-06-01T12:00:00.123Z`) to whole seconds (`2024-06-01T12:00:00Z`);
/// text in another form is returned unchanged.
std::string display_time(std::string_view api_time);

/// One pipeline, as `fmg list` prints it:
/// `#5 [octo/repo @ a1b2c3d on main] status: SUCCESS (started T finished T)`.
/// Not finished: `(started T)`; not started: `(not started, created T)`. A pipeline with
/// jobs held for approval ends with `, on_hold: waiting for approval (fmg approve ID)` (a
/// fork's pull request) or `(fmg approve ID JOB)` (an approval job, the first held).
std::string pipeline_line(const PipelineView& pipeline);

/// One runner, as `fmg configure list-runners` prints it:
/// `1: localhost [online] capacity 2, last heartbeat 0.4s ago, running #12/build`.
/// Without a heartbeat: `no heartbeat yet`; with nothing running: `idle`; running
/// attempts the API names only by id: `running attempt 57`.
std::string runner_line(const RunnerView& runner, int64_t now_ms);

/// A pipeline in full, as `fmg show` prints it: the list line, its details, then each job
/// with its state (a held job: `ON_HOLD: waiting for approval (fmg approve ID JOB)`; an
/// approved one: `, approved by WHO at T`), attempts (number, runner, status, error) and steps
/// (status, exit code, duration). Durations of unfinished things count up to `now_ms`. Ends with a
/// newline.
std::string pipeline_details(const PipelineView& pipeline, int64_t now_ms);

}  // namespace fmg::cli
