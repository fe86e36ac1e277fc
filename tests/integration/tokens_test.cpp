// People and tokens through the real binaries (docs/security.md "People and tokens"): the
// admin creates tokens with `fmg token create`; a viewer reads but cannot retry, trigger or
// register a runner, a trigger token retries but cannot manage runners or tokens; refused
// requests change nothing and are in the audit log with everything admins did; a revoked
// token is refused; the last admin token cannot be revoked; no token is in the data dir in
// clear but the first-start file the operator copies it from.

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

/// Creates a token with `fmg token create` as the admin; the token it printed.
std::string create_token(Cluster& cluster, const std::string& name, const std::string& role) {
    const CommandResult created = cluster.fmg({"token", "create", name, "--role", role});
    INFO(created.describe({"fmg", "token", "create", name, "--role", role}));
    REQUIRE(created.ok());
    CHECK_THAT(created.err, Catch::Contains("shown this once"));
    std::string token = created.out.substr(0, created.out.find('\n'));
    REQUIRE(token.rfind("fmg_", 0) == 0);
    REQUIRE(created.out == token + "\n");  // the token alone on stdout
    return token;
}

}  // namespace

TEST_CASE(
    "e2e: a viewer token reads but cannot retry or register a runner, and refusals change "
    "nothing") {
    Cluster cluster;
    cluster.start_runner("runner-1", machine_agent_options());
    GitRepo repo = cluster.make_repo();
    repo.write_config(R"yaml(version: 2.1
jobs:
  build:
    machine: true
    steps:
      - run: echo built
workflows:
  ci:
    jobs: [build]
)yaml");
    const int64_t id = cluster.push(repo, repo.commit("Build"));
    REQUIRE(string_field(cluster.wait_for_final(id), "status") == "success");

    const std::string viewer = create_token(cluster, "reader", "viewer");
    const std::string trigger = create_token(cluster, "deploy-bot", "trigger");
    const std::string pipeline = std::to_string(id);

    // The viewer reads.
    CHECK(cluster.fmg_as(viewer, {"list"}).ok());
    CHECK(cluster.fmg_as(viewer, {"show", pipeline}).ok());
    CHECK(cluster.fmg_as(viewer, {"configure", "list-runners"}).ok());

    // And is refused everything else, with the role it would need, and nothing changes.
    const CommandResult retry = cluster.fmg_as(viewer, {"retry", pipeline});
    INFO(retry.describe({"fmg", "retry", pipeline}));
    CHECK(retry.status.exited_with(3));
    CHECK_THAT(retry.err, Catch::Contains("403") && Catch::Contains("trigger"));
    const CommandResult add = cluster.fmg_as(viewer, {"configure", "add-runner", "rogue-1"});
    CHECK(add.status.exited_with(3));
    CHECK_THAT(add.err, Catch::Contains("admin"));
    CHECK(cluster.fmg_as(viewer, {"token", "list"}).status.exited_with(3));
    CHECK(cluster.fmg_as(viewer, {"token", "create", "mine", "--role", "admin"})
              .status.exited_with(3));
    CHECK(cluster.fmg_as(viewer, {"audit"}).status.exited_with(3));
    CHECK(cluster.pipeline_total() == 1);
    CHECK(cluster.runners().size() == 1);
    CHECK_FALSE(cluster.find_runner("rogue-1"));

    // The trigger token retries, but cannot manage runners or tokens.
    const CommandResult retried = cluster.fmg_as(trigger, {"retry", pipeline});
    INFO(retried.describe({"fmg", "retry", pipeline}));
    CHECK(retried.ok());
    CHECK(cluster.pipeline_total() == 2);
    CHECK(
        cluster.fmg_as(trigger, {"configure", "remove-runner", "runner-1"}).status.exited_with(3));
    CHECK(string_field(cluster.find_runner("runner-1"), "state") == "online");
    CHECK(cluster.fmg_as(trigger, {"token", "create", "x", "--role", "viewer"})
              .status.exited_with(3));

    // The admin lists the tokens: names and roles, never a value.
    const CommandResult list = cluster.fmg({"token", "list"});
    INFO(list.describe({"fmg", "token", "list"}));
    REQUIRE(list.ok());
    CHECK_THAT(list.out, Catch::Contains("reader [viewer]") &&
                             Catch::Contains("deploy-bot [trigger]") &&
                             Catch::Contains("admin [admin]"));
    CHECK(list.out.find(viewer) == std::string::npos);
    CHECK(list.out.find(cluster.admin_token()) == std::string::npos);

    // The audit log: who did what, the refusals too.
    const CommandResult audit = cluster.fmg({"audit"});
    INFO(audit.describe({"fmg", "audit"}));
    REQUIRE(audit.ok());
    CHECK_THAT(audit.out, Catch::Contains("admin [admin]  POST /api/v1/tokens  201  token 2 "
                                          "(reader, viewer)"));
    CHECK_THAT(audit.out, Catch::Contains("reader [viewer]  POST /api/v1/pipelines/" + pipeline +
                                          "/retry  403"));
    CHECK_THAT(audit.out, Catch::Contains("reader [viewer]  POST /api/v1/runners  403"));
    CHECK_THAT(audit.out, Catch::Contains("deploy-bot [trigger]  POST /api/v1/pipelines/" +
                                          pipeline + "/retry  201  pipeline 2"));

    // A revoked token is refused from then on; the last admin token cannot be revoked.
    REQUIRE(cluster.fmg({"token", "revoke", "2"}).ok());
    const CommandResult revoked = cluster.fmg_as(viewer, {"list"});
    CHECK(revoked.status.exited_with(3));
    CHECK_THAT(revoked.err, Catch::Contains("401"));
    const CommandResult last = cluster.fmg({"token", "revoke", "1"});
    CHECK(last.status.exited_with(1));
    CHECK_THAT(last.err, Catch::Contains("last admin token"));
    CHECK(cluster.fmg({"list"}).ok());

    // No token is in the database (or its journal) in clear.
    for (const auto& entry : std::filesystem::directory_iterator(cluster.data_dir())) {
        if (entry.path().filename().string().rfind("fmg.db", 0) != 0) continue;
        const std::string bytes = read_file_text(entry.path());
        INFO(entry.path());
        CHECK(bytes.find(viewer) == std::string::npos);
        CHECK(bytes.find(trigger) == std::string::npos);
        CHECK(bytes.find(cluster.admin_token()) == std::string::npos);
    }
}

TEST_CASE(
    "e2e: the admin token keeps working after its file is deleted and the coordinator restarts") {
    Cluster cluster;
    std::filesystem::remove(cluster.data_dir() / "admin.token");
    cluster.kill_coordinator();
    cluster.restart_coordinator();
    CHECK_FALSE(std::filesystem::exists(cluster.data_dir() / "admin.token"));
    CHECK(cluster.fmg({"list"}).ok());
    CHECK(cluster.api().get("/api/v1/tokens").status == 200);
}
