// When GitHub answers a status post with a rate limit, the coordinator stops every status post
// until GitHub said it may go on (retry-after), as GitHub asks, then posts each status once,
// in order: none lost, none doubled.

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

const std::string kThreeJobs = R"(version: 2.1
jobs:
  a:
    docker:
      - image: fmg/busybox:latest
    steps:
      - run: "true"
  b:
    docker:
      - image: fmg/busybox:latest
    steps:
      - run: "true"
  c:
    docker:
      - image: fmg/busybox:latest
    steps:
      - run: "true"
workflows:
  all:
    jobs: [a, b, c]
)";

constexpr int kRetryAfterSeconds = 2;

}  // namespace

TEST_CASE("statuses: a GitHub rate limit pauses every post until retry-after, losing none") {
    Cluster cluster;
    AgentOptions agent = shell_agent_options();
    agent.extra_args = {"--capacity", "3"};
    cluster.start_runner("runner-1", agent);
    cluster.github().rate_limit_next(1, kRetryAfterSeconds);

    GitRepo repo = cluster.make_repo();
    repo.write_config(kThreeJobs);
    const std::string sha = repo.commit("three jobs");
    const int64_t id = cluster.push(repo, sha);
    REQUIRE(string_field(cluster.wait_for_final(id), "status") == "success");
    for (const char* context : {"fmg/a", "fmg/b", "fmg/c"}) {
        cluster.wait_for_github_status(context, sha, "success");
    }

    const auto requests = cluster.github().requests();
    REQUIRE_FALSE(requests.empty());
    const PostedStatus& limited = requests.front();  // the first post met the limit
    CHECK(limited.answered == 403);
    size_t refused = 0;
    for (const auto& posted : requests) {
        if (posted.answered != 201) {
            ++refused;
            continue;
        }
        // Nothing was posted while the limit lasted.
        const auto after = std::chrono::duration_cast<std::chrono::milliseconds>(
            posted.received_at - limited.received_at);
        INFO("a status was posted " << after.count() << " ms after the rate limit");
        CHECK(after >= std::chrono::seconds(kRetryAfterSeconds));
    }
    CHECK(refused == 1);
    CHECK(requests.size() == 7);  // six statuses, and the refused one posted again
    for (const char* context : {"fmg/a", "fmg/b", "fmg/c"}) {
        std::vector<std::string> states;
        for (const auto& posted : cluster.github().statuses_for(context)) {
            states.push_back(posted.state);
        }
        INFO(context);
        CHECK(states == std::vector<std::string>{"pending", "success"});
    }
    CHECK_THAT(read_file_text(cluster.coordinator().stderr_path()),
               Catch::Contains("GitHub rate limit: no status posts for"));
}
