// The command line: global options anywhere, help and version, usage errors (exit 2), and
// where the server URL and token come from.

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "cli/global_options.h"
#include "cli_harness.h"
#include "fake_coordinator.h"
#include "shared/exit_codes.h"
#include "shared/version.h"

using namespace fmg::cli;
using namespace fmg::cli::testing;
namespace exit_code = fmg::exit_code;

namespace {

constexpr const char* kEmptyList = R"({"total": 0, "data": []})";

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("the command is found wherever the global options stand") {
    auto line = split_command_line({"--server-url", "http://h:1", "--json", "configure",
                                    "add-runner", "--token", "list", "host-1", "--capacity", "2"});
    CHECK(line.words == std::vector<std::string>{"configure", "add-runner"});
    CHECK(line.rest == std::vector<std::string>{"--server-url", "http://h:1", "--json", "--token",
                                                "list", "host-1", "--capacity", "2"});

    auto logs = split_command_line({"logs", "5", "build", "--follow"});
    CHECK(logs.words == std::vector<std::string>{"logs"});
    CHECK(logs.rest == std::vector<std::string>{"5", "build", "--follow"});
}

TEST_CASE("global options work before and after the command") {
    FakeCoordinator coordinator;
    coordinator.reply("GET", "/api/v1/pipelines", 200, kEmptyList);

    auto before = run_fmg(
        {"--server-url", coordinator.url(), "--token", FakeCoordinator::kToken, "--json", "list"});
    CHECK(before.exit_code == exit_code::kOk);
    CHECK(before.out == std::string(kEmptyList) + "\n");

    auto after = run_fmg({"list", "--json", "--server-url=" + coordinator.url(), "--token",
                          FakeCoordinator::kToken, "--limit", "3"});
    CHECK(after.exit_code == exit_code::kOk);
    CHECK(after.out == std::string(kEmptyList) + "\n");
    CHECK(coordinator.requests().size() == 2);
    CHECK(coordinator.requests()[1].query.at("limit") == "3");
}

TEST_CASE("FMG_SERVER_URL and FMG_TOKEN apply, flags override them") {
    FakeCoordinator coordinator;
    coordinator.reply("GET", "/api/v1/pipelines", 200, kEmptyList);
    auto from_env = run_fmg(
        {"list"}, {{"FMG_SERVER_URL", coordinator.url()}, {"FMG_TOKEN", FakeCoordinator::kToken}});
    CHECK(from_env.exit_code == exit_code::kOk);
    CHECK(from_env.err == "no pipelines\n");

    auto overridden =
        run_fmg({"list", "--token", "wrong"},
                {{"FMG_SERVER_URL", coordinator.url()}, {"FMG_TOKEN", FakeCoordinator::kToken}});
    CHECK(overridden.exit_code == exit_code::kUnreachable);
    CHECK(contains(overridden.err, "refused the API token from --token"));
}

TEST_CASE("without --token or FMG_TOKEN the token is read from ~/.config/fmg/token") {
    FakeCoordinator coordinator;
    coordinator.reply("GET", "/api/v1/pipelines", 200, kEmptyList);
    auto home = std::filesystem::temp_directory_path() / "fmg-cli-token-test";
    std::filesystem::remove_all(home);
    std::filesystem::create_directories(home / ".config/fmg");

    auto without = run_fmg({"--server-url", coordinator.url(), "list"}, {{"HOME", home}});
    CHECK(without.exit_code == exit_code::kUnreachable);
    CHECK(contains(without.err, "fmg: no API token"));

    std::ofstream(home / ".config/fmg/token") << "  " << FakeCoordinator::kToken << "\n";
    auto with = run_fmg({"--server-url", coordinator.url(), "list"}, {{"HOME", home}});
    CHECK(with.exit_code == exit_code::kOk);
    CHECK(coordinator.requests().back().authorization ==
          std::string("Bearer ") + FakeCoordinator::kToken);

    std::ofstream(home / ".config/fmg/token") << "stale\n";
    auto stale = run_fmg({"--server-url", coordinator.url(), "list"}, {{"HOME", home}});
    CHECK(stale.exit_code == exit_code::kUnreachable);
    CHECK(
        contains(stale.err, "refused the API token from " + (home / ".config/fmg/token").string()));
    std::filesystem::remove_all(home);
}

TEST_CASE("help and version print to stdout and exit 0") {
    auto help = run_fmg({"--help"});
    CHECK(help.exit_code == exit_code::kOk);
    for (const char* part : {"Usage: fmg", "list [--limit N]", "logs ID [JOB]", "trigger --repo",
                             "configure add-runner HOST", "configure remove-runner ID|HOST",
                             "--server-url URL", "FMG_TOKEN", "Exit codes"}) {
        INFO(part);
        CHECK(contains(help.out, part));
    }
    auto version = run_fmg({"--version"});
    CHECK(version.exit_code == exit_code::kOk);
    CHECK(version.out == std::string("fmg ") + fmg::kVersion + "\n");
    CHECK(run_fmg({"show", "--version"}).out == version.out);

    auto list_help = run_fmg({"list", "--help"});
    CHECK(list_help.exit_code == exit_code::kOk);
    CHECK(contains(list_help.out, "Usage: fmg list"));
    CHECK(contains(list_help.out, "--status S"));
    CHECK(contains(list_help.out, "--server-url URL"));

    auto configure_help = run_fmg({"configure", "--help"});
    CHECK(configure_help.exit_code == exit_code::kOk);
    CHECK(contains(configure_help.out, "configure list-runners"));
    CHECK(run_fmg({"configure", "add-runner", "--help"}).exit_code == exit_code::kOk);
}

TEST_CASE("usage errors are exit 2 with a message, and nothing is sent") {
    FakeCoordinator coordinator;
    std::vector<std::vector<std::string>> bad = {
        {},
        {"frobnicate"},
        {"list", "--nope"},
        {"list", "--limit", "many"},
        {"list", "--limit", "0"},
        {"list", "--status", "great"},
        {"list", "extra"},
        {"show"},
        {"show", "abc"},
        {"show", "1", "2"},
        {"logs", "-3"},
        {"logs", "1", "build", "--attempt", "x"},
        {"trigger", "--ref", "main"},
        {"trigger", "--repo", "u", "--ref", "main", "--sha", "xyz"},
        {"cancel", "0"},
        {"retry"},
        {"configure"},
        {"configure", "bogus"},
        {"configure", "add-runner"},
        {"configure", "add-runner", "h", "--capacity", "0"},
        {"configure", "add-runner", "h", "--labels", "a,,b"},
        {"--server-url", "https://", "list"},
        {"--server-url", "ci.example:5000", "list"},
        {"validate", "--branch", "main", "--tag", "v1"},
    };
    for (auto args : bad) {
        std::string shown;
        for (const auto& a : args) shown += a + " ";
        INFO("fmg " << shown);
        args.insert(args.begin(), {"--server-url=" + coordinator.url()});
        if (shown.find("--server-url") != std::string::npos) args.erase(args.begin());
        auto result = run_fmg(args, {{"FMG_TOKEN", FakeCoordinator::kToken}});
        CHECK(result.exit_code == exit_code::kUsage);
        CHECK(contains(result.err, "fmg"));
        CHECK(contains(result.err, "--help"));
        CHECK(result.out.empty());
    }
    CHECK(coordinator.requests().empty());
}

TEST_CASE("an https:// server URL is accepted and a coordinator that is not there is exit 3") {
    // Port 1 on loopback refuses connections: the URL passed validation (not exit 2) and the
    // TLS client was set up; only reaching the coordinator failed.
    auto result = run_fmg({"--server-url", "https://127.0.0.1:1", "list"}, {{"FMG_TOKEN", "t"}});
    CHECK(result.exit_code == exit_code::kUnreachable);
    CHECK(contains(result.err, "127.0.0.1"));
}
