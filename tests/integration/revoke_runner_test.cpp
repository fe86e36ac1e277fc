// `fmg configure remove-runner` revokes a runner: its connected agent is told so and exits 3,
// and the same credentials are refused when it tries again (SPEC "fmg configure").

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {
constexpr std::chrono::seconds kRevokeTimeout{15};
}  // namespace

TEST_CASE("e2e: a removed runner's agent is disconnected and cannot come back") {
    Cluster cluster;
    const AgentOptions shell = shell_agent_options();
    Process& agent = cluster.start_runner("doomed", shell);
    const auto credentials = cluster.dir() / "doomed.cred";

    const CommandResult removed = cluster.fmg({"configure", "remove-runner", "doomed"});
    INFO(removed.describe({"fmg", "configure", "remove-runner", "doomed"}));
    REQUIRE(removed.ok());

    // The running agent learns it was revoked and stops with exit code 3.
    const auto ended = agent.wait_for(deadline_after(kRevokeTimeout));
    INFO(tail_files(cluster.log_files()));
    REQUIRE(ended);
    CHECK(ended->exited_with(3));
    CHECK_THAT(agent.stderr_text(), Catch::Contains("revoked"));

    auto runner = cluster.find_runner("doomed");
    REQUIRE(runner);
    CHECK(string_field(runner, "state") == "revoked");

    // Started again with the same credentials, it is refused at authentication.
    Process& again = cluster.start_agent("doomed-again", credentials, shell);
    const auto refused = again.wait_for(deadline_after(kRevokeTimeout));
    REQUIRE(refused);
    CHECK(refused->exited_with(3));
    CHECK_THAT(again.stderr_text(), Catch::Contains("authentication"));
    CHECK(string_field(cluster.find_runner("doomed"), "state") == "revoked");
}
