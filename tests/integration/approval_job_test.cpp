// An approval job (`type: approval` in a workflow) holds a pipeline between two jobs until a
// person approves it with the real CLI: build succeeds, `hold` is on_hold in the API, in
// `fmg show` and on GitHub, `deploy` has not run; `fmg approve ID hold` releases it, deploy
// runs, a no-op job after it succeeds without a runner, and approving again is refused.

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

const std::string kGatedConfig = R"(version: 2
jobs:
  build:
    docker:
      - image: fmg/busybox:latest
    steps:
      - run: echo built
  deploy:
    docker:
      - image: fmg/busybox:latest
    steps:
      - run: echo "deployed after approval"
  done:
    type: no-op
workflows:
  version: 2
  release:
    jobs:
      - build
      - hold:
          type: approval
          requires: [build]
      - deploy:
          requires: [hold]
      - done:
          requires: [deploy]
)";

/// The fake GitHub's accepted statuses of `context` for `sha`, as "state: description".
std::vector<std::string> statuses_of(Cluster& cluster, const std::string& context,
                                     const std::string& sha) {
    std::vector<std::string> out;
    for (const auto& posted : cluster.github().statuses_for(context)) {
        if (posted.sha() == sha) out.push_back(posted.state + ": " + posted.description);
    }
    return out;
}

}  // namespace

TEST_CASE("e2e: an approval job holds deploy until `fmg approve ID hold`", "[approval]") {
    Cluster cluster;
    cluster.start_runner("runner-1", shell_agent_options());
    GitRepo repo = cluster.make_repo();
    repo.write_config(kGatedConfig);
    const std::string sha = repo.commit("Build, approve, deploy");

    const int64_t id = cluster.push(repo, sha);
    const std::string id_text = std::to_string(id);
    auto held = cluster.wait_for_job_status(id, "hold", "on_hold");
    INFO("while held: " << to_json(held));
    CHECK(string_field(find_named(held, "jobs", "build"), "status") == "success");
    auto hold = find_named(held, "jobs", "hold");
    CHECK(string_field(hold, "type") == "approval");
    CHECK(object_array(hold, "attempts").empty());  // nothing runs on a runner for it
    auto deploy = find_named(held, "jobs", "deploy");
    CHECK(string_field(deploy, "status") == "blocked");
    CHECK(object_array(deploy, "attempts").empty());
    CHECK(string_field(held, "status") == "running");
    CHECK(string_array(held, "held_jobs") == std::vector<std::string>{"hold"});

    // GitHub is told what it waits for, and how to release it.
    const std::string waiting =
        "pending: Job hold is waiting for approval (fmg approve " + id_text + " hold)";
    cluster.wait_until(
        deadline_after(30s),
        [&] {
            auto seen = statuses_of(cluster, "fmg/hold", sha);
            return !seen.empty() && seen.front() == waiting;
        },
        "GitHub gets '" + waiting + "' for fmg/hold");

    // People see it too.
    const CommandResult show = cluster.fmg({"show", id_text});
    INFO(show.describe({"fmg", "show"}));
    CHECK(show.ok());
    CHECK_THAT(show.out, Catch::Contains("job hold (approval): ON_HOLD"));
    CHECK_THAT(show.out,
               Catch::Contains("waiting for approval (fmg approve " + id_text + " hold)"));
    const CommandResult list = cluster.fmg({"list"});
    CHECK_THAT(list.out, Catch::Contains("status: RUNNING"));
    CHECK_THAT(list.out,
               Catch::Contains("on_hold: waiting for approval (fmg approve " + id_text + " hold)"));

    // The pipeline as a whole is no fork's: `fmg approve ID` keeps that meaning and says how.
    const CommandResult whole = cluster.fmg({"approve", id_text});
    CHECK(whole.status.exited_with(1));
    CHECK_THAT(whole.err, Catch::Contains("not a pull request from a fork"));
    CHECK_THAT(whole.err, Catch::Contains("fmg approve " + id_text + " hold"));
    // An unknown job is not found.
    CHECK(
        cluster.api().post_json("/api/v1/pipelines/" + id_text + "/jobs/nope/approve", "").status ==
        404);
    CHECK(string_field(find_named(cluster.pipeline(id), "jobs", "deploy"), "status") == "blocked");

    // A person approves with the real CLI: hold passes, deploy runs, the no-op job follows.
    const CommandResult approve = cluster.fmg({"approve", id_text, "hold"});
    INFO(approve.describe({"fmg", "approve"}));
    REQUIRE(approve.ok());
    CHECK(approve.out == "pipeline #" + id_text + " approved: hold passed\n");
    auto done = cluster.wait_for_final(id);
    INFO("done: " << to_json(done));
    REQUIRE(string_field(done, "status") == "success");
    auto approved = find_named(done, "jobs", "hold");
    CHECK(string_field(approved, "status") == "success");
    CHECK(string_field(approved, "approved_by") == "admin");
    CHECK(optional_string(approved, "approved_at").has_value());
    CHECK(string_field(find_named(done, "jobs", "deploy"), "status") == "success");
    auto no_op = find_named(done, "jobs", "done");
    CHECK(string_field(no_op, "type") == "no-op");
    CHECK(string_field(no_op, "status") == "success");
    CHECK(object_array(no_op, "attempts").empty());
    const CommandResult log = cluster.fmg({"logs", id_text, "deploy"});
    CHECK_THAT(log.out, Catch::Contains("deployed after approval"));

    // GitHub: waiting, then approved; deploy after it.
    cluster.wait_for_github_status("fmg/done", sha, "success");
    CHECK(statuses_of(cluster, "fmg/hold", sha) ==
          std::vector<std::string>{waiting, "success: Job hold approved by admin"});
    CHECK(statuses_of(cluster, "fmg/deploy", sha).back() == "success: Job deploy passed");
    CHECK(cluster.github().rejected().empty());

    // Approving again is a conflict, through the API and the CLI.
    auto twice = cluster.api().post_json("/api/v1/pipelines/" + id_text + "/jobs/hold/approve", "");
    CHECK(twice.status == 409);
    CHECK_THAT(twice.body, Catch::Contains("is not waiting for approval (it is success, approved "
                                           "by admin)"));
    const CommandResult again = cluster.fmg({"approve", id_text, "hold"});
    CHECK(again.status.exited_with(1));
    CHECK_THAT(again.err, Catch::Contains("not waiting for approval"));
    cluster.stop_gracefully();
}
