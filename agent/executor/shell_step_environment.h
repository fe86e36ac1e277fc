#pragma once
// The environment a shell step starts with: an allow-list, never the agent's own. The agent's
// environment holds what must not reach code from a pull request (FMG_GIT_TOKEN for the
// checkout helper, its settings, an admin token an operator exported, SSH_AUTH_SOCK,
// CREDENTIALS_DIRECTORY); a step gets a fixed base, the variables fmg defines, the job's and
// the step's `environment`, and only those agent variables the operator names with
// `--pass-env NAME`.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/executor/executor.h"

namespace fmg::agent {

/// Who the steps run as, for HOME, USER and LOGNAME.
struct StepUser {
    std::string home;  // what `~` means
    std::string name;  // empty: USER and LOGNAME are not set
};

/// The base of every shell step's environment, before CI, FMG and the job's and step's
/// variables (step_environment()):
/// - PATH=kDefaultStepPath, HOME, USER and LOGNAME from `user`, TERM=kStepTerm;
/// - each of kStepInheritedVariables (LANG, LANGUAGE, LC_ALL, TZ) that `agent` has;
/// - each name of `pass_env` that `agent` has, with the agent's value (PATH too).
/// Nothing else of `agent` is taken.
Environment shell_step_base_environment(const Environment& agent,
                                        const std::vector<std::string>& pass_env,
                                        const StepUser& user);

/// Everything a shell step's process gets: the base above, then the builtins and the job's
/// and the step's variables (step_environment(); later entries win).
Environment shell_step_environment(const Environment& base, const Environment& job,
                                   const Environment& step);

/// This process's environment (`environ`) as a map; entries without a name are skipped.
Environment current_process_environment();

/// Why `name` cannot be given to --pass-env, or nullopt when it can: it must be a variable
/// name ([A-Za-z_][A-Za-z0-9_]*), and neither one of the agent's own settings and secrets
/// (FMG_*, CREDENTIALS_DIRECTORY), which never reach a step.
std::optional<std::string> pass_env_name_problem(std::string_view name);

/// Splits a comma-separated --pass-env value into names (empty parts dropped).
std::vector<std::string> split_pass_env(std::string_view text);

}  // namespace fmg::agent
