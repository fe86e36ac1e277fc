#include "cli/app.h"

#include <algorithm>
#include <map>
#include <optional>

#include "cli/api_client.h"
#include "cli/command.h"
#include "cli/global_options.h"
#include "cli/repeated_options.h"
#include "shared/exit_codes.h"
#include "shared/version.h"

namespace fmg::cli {

namespace {

options::Parser top_level_parser(std::string summary) {
    return options::Parser("fmg", "[GLOBAL OPTIONS] COMMAND [ARGS]", std::move(summary),
                           global_specs());
}

std::string command_table(const std::vector<Command>& commands, std::string_view prefix) {
    std::string table;
    for (const Command& command : commands) {
        if (command.name.rfind(prefix, 0) != 0) continue;
        std::string left = command.name + (command.synopsis.empty() ? "" : " " + command.synopsis);
        table += "  " + left + "\n      " + command.summary + "\n";
    }
    return table;
}

int usage(Console& console, const std::string& program, const std::string& message) {
    console.err << program << ": " << message << "\nTry '" << program << " --help'.\n";
    return exit_code::kUsage;
}

bool asks_for_help(const std::vector<std::string>& rest) {
    return std::any_of(rest.begin(), rest.end(),
                       [](const std::string& a) { return a == "--help" || a == "-h"; });
}

/// fmg without a command: --help, --version, or a usage error.
int run_without_command(const std::vector<std::string>& rest, Console& console,
                        const options::EnvLookup& env) {
    auto outcome = top_level_parser("").parse(rest, env);
    if (outcome.kind == options::Outcome::Kind::usage_error) {
        console.err << outcome.message << "\n";
        return exit_code::kUsage;
    }
    if (outcome.kind == options::Outcome::Kind::exit_ok) {
        bool help = asks_for_help(rest);
        console.out << (help ? top_level_help() : outcome.message + "\n");
        return exit_code::kOk;
    }
    return usage(console, "fmg", "no command given");
}

/// The first value of a repeatable option that its validator refuses, said as the options
/// parser says it; nullopt when all are good.
std::optional<std::string> repeated_option_problem(
    const Command& command, const std::map<std::string, std::vector<std::string>>& values) {
    for (const auto& [name, given] : values) {
        const auto spec = std::find_if(command.specs.begin(), command.specs.end(),
                                       [&](const options::Spec& s) { return s.name == name; });
        if (spec == command.specs.end() || !spec->validate) continue;
        for (const std::string& value : given) {
            if (auto error = spec->validate(value)) {
                return "invalid value '" + value + "' for --" + name + ": " + *error;
            }
        }
    }
    return std::nullopt;
}

int run_command(const Command& command, const std::vector<std::string>& rest, Console& console,
                const options::EnvLookup& env) {
    std::string program = "fmg " + command.name;
    std::vector<options::Spec> specs = global_specs();
    specs.insert(specs.end(), command.specs.begin(), command.specs.end());
    options::Parser parser(program, command.synopsis.empty() ? "[OPTIONS]" : command.synopsis,
                           command.summary, specs, command.max_arguments);
    RepeatedOptions repeated = take_repeated_options(rest, command.repeatable);
    auto outcome = parser.parse(repeated.rest, env);
    if (outcome.kind == options::Outcome::Kind::usage_error) {
        console.err << outcome.message << "\n";
        return exit_code::kUsage;
    }
    if (outcome.kind == options::Outcome::Kind::exit_ok) {
        bool help = asks_for_help(rest);
        console.out << (help ? outcome.message : std::string("fmg ") + kVersion + "\n");
        return exit_code::kOk;
    }
    if (outcome.values.positional.size() < command.min_arguments) {
        return usage(console, program, "missing argument: " + command.synopsis);
    }
    if (auto problem = repeated_option_problem(command, repeated.values)) {
        return usage(console, program, *problem);
    }
    ApiClient api(resolve_api_settings(outcome.values, env));
    CommandContext context{program, outcome.values, console, api, std::move(repeated.values)};
    return command.run(context);
}

}  // namespace

std::string top_level_help() {
    std::vector<Command> commands = all_commands();
    std::string summary =
        "Pipelines, logs and runners of an fmg coordinator, through its REST API.\n\n"
        "Commands:\n" +
        command_table(commands, "");
    summary.pop_back();  // the parser puts its own blank line before the options
    std::string text = top_level_parser(summary).help();
    text +=
        "\nGlobal options may come before or after the command. Run 'fmg COMMAND --help' for "
        "a command's own options.\n"
        "Exit codes: 0 ok; 1 the pipeline, job or request failed, or the config is invalid; "
        "2 usage error; 3 cannot reach or authenticate to the coordinator; 4 not found.\n";
    return text;
}

int run(const std::vector<std::string>& args, Console& console, const options::EnvLookup& env) {
    CommandLine line = split_command_line(args);
    if (line.words.empty()) return run_without_command(line.rest, console, env);

    std::vector<Command> commands = all_commands();
    if (line.words.size() == 1 && is_command_group(line.words[0])) {
        const std::string group = line.words[0];
        if (asks_for_help(line.rest)) {
            console.out << "Usage: fmg " << group << " SUBCOMMAND [ARGS]\n\nSubcommands:\n"
                        << command_table(commands, group + " ");
            return exit_code::kOk;
        }
        std::string subcommands;
        for (const Command& command : commands) {
            if (command.name.rfind(group + " ", 0) != 0) continue;
            subcommands +=
                (subcommands.empty() ? "" : ", ") + command.name.substr(group.size() + 1);
        }
        return usage(console, "fmg " + group, "missing subcommand: " + subcommands);
    }
    std::string name = line.words[0] + (line.words.size() > 1 ? " " + line.words[1] : "");
    auto found = std::find_if(commands.begin(), commands.end(),
                              [&](const Command& c) { return c.name == name; });
    if (found == commands.end()) return usage(console, "fmg", "unknown command '" + name + "'");
    return run_command(*found, line.rest, console, env);
}

}  // namespace fmg::cli
