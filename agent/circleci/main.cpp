// fmg-circleci: the commands CircleCI provides inside every job, for fmg's jobs. The agent
// puts it in every job as `circleci` and `circleci-agent` (step_commands.h); it is linked
// statically, so it runs in any image (glibc, musl, busybox). Usage: commands.h, or
// `circleci help`.

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "agent/circleci/commands.h"
#include "agent/circleci/step_commands.h"

int main(int argc, char** argv) {
    using namespace fmg::agent::circleci;
    std::string program = argc > 0 ? std::filesystem::path(argv[0]).filename().string() : "";
    if (program.empty()) program = kCircleciCommand;
    std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
    // Patterns and names are relative to the current directory, and printed as written.
    CommandContext context{program,
                           std::cin,
                           std::cout,
                           std::cerr,
                           [](const char* name) -> const char* { return std::getenv(name); },
                           "."};
    int code = run_command(args, context);
    std::cout.flush();
    return std::cout ? code : kCommandFailed;
}
