#include "cli/commands/commands.h"

namespace fmg::cli {

std::vector<Command> all_commands() {
    return {list_command(),         show_command(),
            logs_command(),         artifacts_command(),
            caches_command(),       evictions_command(),
            trigger_command(),      cancel_command(),
            retry_command(),        approve_command(),
            validate_command(),     add_runner_command(),
            list_runners_command(), remove_runner_command(),
            token_create_command(), token_list_command(),
            token_revoke_command(), audit_command(),
            secret_set_command(),   secret_list_command(),
            secret_rm_command(),    secret_rotate_key_command()};
}

}  // namespace fmg::cli
