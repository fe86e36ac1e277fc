#pragma once
// The options every fmg command takes (SPEC "fmg (CLI)", "Global"), where the API token is
// found, and how a command line splits into the command and everything else.

#include <string>
#include <string_view>
#include <vector>

#include "cli/api_settings.h"
#include "shared/options.h"

namespace fmg::cli {

/// --server-url / FMG_SERVER_URL, --token / FMG_TOKEN, --json.
std::vector<options::Spec> global_specs();

/// The words that name a command ("list", or "configure" and "add-runner") and the other
/// arguments in their order. Global options may stand before or after the command: a
/// global option that takes a value keeps its value in `rest`, so it is never taken for
/// the command. Everything after "--" stays in `rest`.
struct CommandLine {
    std::vector<std::string> words;
    std::vector<std::string> rest;
};
CommandLine split_command_line(const std::vector<std::string>& args);

/// Whether `word` names a group of commands whose second word says which one ("configure",
/// "token", "secret"): `fmg token create ...`.
bool is_command_group(std::string_view word);

/// Where the API token is read from when neither --token nor FMG_TOKEN is given:
/// $HOME/.config/fmg/token, or empty without HOME.
std::string default_token_path(const options::EnvLookup& env);

/// The server URL and token from parsed options; without --token or FMG_TOKEN, the token
/// is the trimmed contents of default_token_path() when that file exists.
ApiSettings resolve_api_settings(const options::Values& values, const options::EnvLookup& env);

}  // namespace fmg::cli
