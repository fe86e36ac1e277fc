#pragma once
// The definition of each fmg command; cli/commands/registry.cpp lists them.

#include "cli/command.h"

namespace fmg::cli {

// Each returns the command's name, synopsis, options and the function that runs it; the
// behaviour of each is described in docs/cli.md.
Command list_command();               // commands/list.cpp
Command show_command();               // commands/show.cpp
Command logs_command();               // commands/logs.cpp
Command artifacts_command();          // commands/artifacts.cpp
Command trigger_command();            // commands/trigger.cpp
Command cancel_command();             // commands/cancel_retry.cpp
Command retry_command();              // commands/cancel_retry.cpp
Command approve_command();            // commands/approve.cpp
Command validate_command();           // commands/validate.cpp
Command caches_command();             // commands/store.cpp
Command evictions_command();          // commands/store.cpp
Command add_runner_command();         // commands/runners.cpp
Command list_runners_command();       // commands/runners.cpp
Command remove_runner_command();      // commands/runners.cpp
Command token_create_command();       // commands/tokens.cpp
Command token_list_command();         // commands/tokens.cpp
Command token_revoke_command();       // commands/tokens.cpp
Command audit_command();              // commands/tokens.cpp
Command secret_set_command();         // commands/secrets.cpp
Command secret_list_command();        // commands/secrets.cpp
Command secret_rm_command();          // commands/secrets.cpp
Command secret_rotate_key_command();  // commands/secrets.cpp

}  // namespace fmg::cli
