#pragma once
// The definition of each fmg command; cli/commands/registry.cpp lists them.

#include "cli/command.h"

namespace fmg::cli {

Command list_command();
Command show_command();
Command logs_command();
Command trigger_command();
Command cancel_command();
Command retry_command();
Command validate_command();
Command add_runner_command();
Command list_runners_command();
Command remove_runner_command();

}  // namespace fmg::cli
