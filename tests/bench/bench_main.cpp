// fmg_bench: runs the benchmark scenarios (each a Catch2 test case tagged [bench]) against the
// real binaries on loopback, then prints every figure as a table and, with --json FILE,
// writes them with the machine and the commit. Figures that miss their target are reported,
// not failed: a benchmark measures; only a scenario that could not run makes the exit code 1.
//
// Usage: fmg_bench [--json FILE] [--quick] [SCENARIO ...]
//   SCENARIO  a scenario's name (e.g. dispatch); default: all of them

#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <ctime>
#include <iostream>
#include <string>
#include <vector>

#include "tests/bench/bench_options.h"
#include "tests/bench/report.h"

namespace {

std::string utc_now() {
    std::time_t now = std::time(nullptr);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return text;
}

}  // namespace

int main(int argc, char* argv[]) {
    std::string json_path;
    std::vector<std::string> scenarios;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--json" && i + 1 < argc) {
            json_path = argv[++i];
        } else if (arg == "--quick") {
            fmg::bench::set_quick(true);
        } else if (arg == "-h" || arg == "--help") {
            std::cout << "usage: fmg_bench [--json FILE] [--quick] [SCENARIO ...]\n"
                         "scenarios: dispatch, docker-job, throughput, logs, files, follow, heal, "
                         "scale, idle, config (default: all)\n";
            return 0;
        } else if (!arg.empty() && arg[0] == '-') {
            std::cerr << "fmg_bench: unknown option " << arg << " (see --help)\n";
            return 2;
        } else {
            scenarios.push_back(arg);
        }
    }
    const std::string started_at = utc_now();

    // Each scenario is the test case of that name; without names, every [bench] case.
    std::vector<std::string> catch_args{"fmg_bench", "--durations", "yes"};
    if (scenarios.empty()) {
        catch_args.push_back("[bench]");
    } else {
        std::string spec;
        for (const auto& name : scenarios) spec += (spec.empty() ? "" : ",") + name;
        catch_args.push_back(spec);
    }
    std::vector<const char*> catch_argv;
    for (const auto& arg : catch_args) catch_argv.push_back(arg.c_str());
    Catch::Session session;
    if (int error =
            session.applyCommandLine(static_cast<int>(catch_argv.size()), catch_argv.data());
        error != 0) {
        return 2;
    }
    const int failed = session.run();

    const auto machine = fmg::bench::describe_machine(FMG_SOURCE_DIR);
    std::cout << "\nfmg benchmarks: commit " << machine.commit << ", " << machine.cores
              << " cores, " << static_cast<int>(machine.memory_gib + 0.5) << " GiB, "
              << machine.cpu_model << (fmg::bench::quick() ? " (quick run)" : "") << "\n\n";
    fmg::bench::print_table(std::cout);
    if (!json_path.empty()) {
        if (!fmg::bench::write_json(json_path, machine, started_at)) {
            std::cerr << "fmg_bench: cannot write " << json_path << "\n";
            return 1;
        }
        std::cout << "\nwrote " << json_path << "\n";
    }
    if (failed != 0) std::cerr << "fmg_bench: " << failed << " scenario(s) could not run\n";
    return failed != 0 ? 1 : 0;
}
