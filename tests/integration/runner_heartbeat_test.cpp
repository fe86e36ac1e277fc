// An online runner's last heartbeat, as GET /api/v1/runners (and `fmg configure
// list-runners`) show it, keeps advancing while its agent heartbeats. The coordinator writes
// heartbeat times in batches, not one transaction per heartbeat.

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

std::optional<std::string> last_heartbeat(const Cluster& cluster, const std::string& host) {
    auto runner = cluster.find_runner(host);
    return runner ? optional_string(runner, "last_heartbeat_at") : std::nullopt;
}

}  // namespace

TEST_CASE("e2e: an online runner's last heartbeat keeps advancing") {
    Cluster cluster;  // heartbeats every second (the default)
    const AgentOptions shell = shell_agent_options();
    cluster.start_runner("beating", shell);

    std::string first;
    cluster.wait_until(
        deadline_after(std::chrono::seconds(10)),
        [&] {
            first = last_heartbeat(cluster, "beating").value_or("");
            return !first.empty();
        },
        "a last heartbeat recorded for the online runner");
    // RFC 3339 with milliseconds in UTC compares in time order as text.
    std::string later;
    cluster.wait_until(
        deadline_after(std::chrono::seconds(10)),
        [&] {
            later = last_heartbeat(cluster, "beating").value_or("");
            return later > first;
        },
        "a later heartbeat recorded after " + first);
    CHECK(string_field(cluster.find_runner("beating"), "state") == "online");
}
