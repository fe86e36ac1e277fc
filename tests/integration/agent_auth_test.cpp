// Agents must authenticate with the CURVE keys they were registered with: an agent holding
// keys the coordinator never issued is refused, exits 3 and never shows up as online.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <regex>
#include <sstream>

#include "tests/support/cluster.h"
#include "tests/support/credentials.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

constexpr std::chrono::seconds kRefusalTimeout{15};

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// The line of `fmg configure list-runners` for a host ("ID: HOST [state] ..."), or empty.
std::string runner_line(const std::string& listing, const std::string& host) {
    std::istringstream lines(listing);
    for (std::string line; std::getline(lines, line);) {
        if (line.find(": " + host + " [") != std::string::npos) return line;
    }
    return {};
}

}  // namespace

TEST_CASE("e2e: an agent with keys the coordinator never issued is refused") {
    Cluster cluster;
    // A registered runner whose agent presents the right credentials: the control.
    const AgentOptions shell = shell_agent_options();
    cluster.start_runner("runner-ok", shell);

    // Real credentials for "ghost" (endpoint, server key), but a fresh key pair of its own.
    const auto credentials = cluster.add_runner("ghost");
    const CurveKeyPair issued{read_credentials(credentials).at("public_key"),
                              read_credentials(credentials).at("secret_key")};
    const CurveKeyPair forged = generate_curve_keypair();
    REQUIRE(forged.public_hex != issued.public_hex);
    replace_credentials_keys(credentials, forged);

    Process& intruder = cluster.start_agent("ghost", credentials, shell);
    const auto ended = intruder.wait_for(deadline_after(kRefusalTimeout));
    INFO(tail_files(cluster.log_files()));
    REQUIRE(ended);
    CHECK(ended->exited_with(3));
    CHECK_THAT(lower(intruder.stderr_text() + intruder.stdout_text()),
               Catch::Contains("authentication"));

    // Neither the API nor the CLI shows it online; the control runner is.
    const auto ghost = cluster.find_runner("ghost");
    REQUIRE(ghost);
    CHECK(string_field(ghost, "state") != "online");
    const CommandResult listing = cluster.fmg({"configure", "list-runners"});
    INFO(listing.describe({"fmg", "configure", "list-runners"}));
    REQUIRE(listing.ok());
    const std::string ghost_line = runner_line(listing.out, "ghost");
    CHECK_FALSE(ghost_line.empty());
    CHECK_THAT(ghost_line, !Catch::Contains("[online]"));
    const std::regex online(
        R"(^\d+: runner-ok \[online\] capacity 1, last heartbeat \d+(\.\d+)?s ago.*$)");
    CHECK(std::regex_match(runner_line(listing.out, "runner-ok"), online));
}
