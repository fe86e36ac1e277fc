#include "agent/circleci/commands.h"

#include <sys/stat.h>

#include <fstream>

#include "agent/circleci/glob.h"
#include "agent/circleci/halt.h"
#include "agent/circleci/step_commands.h"

namespace fmg::agent::circleci {
namespace {

std::string usage(const std::string& program) {
    return "usage: " + program +
           " tests glob PATTERN...\n"
           "       " +
           program +
           " tests split [--split-by=name|filesize|timings] [--index N] [--total N]\n"
           "             [--timings-type=filename|classname|testname|autodetect] "
           "[--show-counts] [FILE]\n"
           "       " +
           program +
           " step halt\n"
           "fmg's stand-in for the commands CircleCI provides in every job (docs/executors.md).\n";
}

int run_glob(const std::vector<std::string>& patterns, const CommandContext& context) {
    if (patterns.empty()) {
        context.err << context.program << " tests glob: give at least one PATTERN\n";
        return kCommandUsage;
    }
    std::vector<std::string> expanded;
    for (const auto& pattern : patterns) {
        auto alternatives = expand_braces(pattern);
        if (!alternatives) {
            context.err << context.program << " tests glob: " << pattern << " expands to more than "
                        << kMaxExpandedPatterns << " patterns\n";
            return kCommandUsage;
        }
        expanded.insert(expanded.end(), alternatives->begin(), alternatives->end());
    }
    for (const auto& path : glob_paths(expanded, context.directory)) context.out << path << "\n";
    return kCommandOk;
}

int run_split(const std::vector<std::string>& args, const CommandContext& context) {
    auto parsed = parse_split_arguments(args, context.environment);
    if (auto* problem = std::get_if<std::string>(&parsed)) {
        context.err << context.program << " tests split: " << *problem << "\n";
        return kCommandUsage;
    }
    const auto& request = std::get<SplitRequest>(parsed);
    std::vector<std::string> names;
    if (request.file) {
        std::filesystem::path file = context.directory / *request.file;
        std::ifstream input(file);
        if (!input) {
            context.err << context.program << " tests split: cannot read " << *request.file << "\n";
            return kCommandFailed;
        }
        names = read_names(input);
    } else {
        names = read_names(context.in);
    }
    const auto& directory = context.directory;
    FileSizeLookup file_size = [&directory](const std::string& name) {
        struct stat status {};
        std::filesystem::path path = directory / name;
        if (::stat(path.c_str(), &status) != 0 || !S_ISREG(status.st_mode)) {
            return std::optional<std::uint64_t>();
        }
        return std::optional<std::uint64_t>(static_cast<std::uint64_t>(status.st_size));
    };
    SplitResult result = split_names(request, names, file_size);
    for (const auto& notice : result.notices) {
        context.err << context.program << " tests split: " << notice << "\n";
    }
    for (const auto& name : result.names) context.out << name << "\n";
    return kCommandOk;
}

}  // namespace

int run_command(const std::vector<std::string>& args, const CommandContext& context) {
    if (args.empty()) {
        context.err << usage(context.program);
        return kCommandUsage;
    }
    if (args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
        context.out << usage(context.program);
        return kCommandOk;
    }
    const std::vector<std::string> rest(args.begin() + (args.size() >= 2 ? 2 : 1), args.end());
    if (args.size() >= 2 && args[0] == "tests" && args[1] == "glob") return run_glob(rest, context);
    if (args.size() >= 2 && args[0] == "tests" && args[1] == "split") {
        return run_split(rest, context);
    }
    if (args.size() >= 2 && args[0] == "step" && args[1] == "halt") {
        if (!rest.empty()) {
            context.err << context.program << " step halt: takes no arguments\n";
            return kCommandUsage;
        }
        return request_halt(context.environment(kHaltFileVariable), context.program, context.err);
    }
    std::string asked = args[0] + (args.size() >= 2 ? " " + args[1] : "");
    context.err << context.program << ": '" << asked
                << "' is not a command fmg provides in its jobs; it provides only these:\n"
                << usage(context.program);
    return kCommandUsage;
}

}  // namespace fmg::agent::circleci
