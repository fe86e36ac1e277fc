#pragma once
// The coordinator's composition root: builds every part from the settings, runs the event
// loop on the calling thread until SIGTERM or SIGINT, then shuts down in order.

#include "coordinator/setup/settings.h"

namespace fmg::coordinator {

/// Runs the coordinator; returns the process exit code. Throws on start-up failures (data
/// dir, database, ports), which main reports.
int run_coordinator(const Settings& settings);

}  // namespace fmg::coordinator
