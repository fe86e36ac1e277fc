// What code from a pull request can take from a shell runner, tried as an attacker would: a
// step that prints its environment, reads the agent's credentials file and its environment
// through /proc, lists the agent's work dir and talks to the Docker socket. It must get none
// of them, while the job's own variables and the checkout work. And an agent whose
// credentials file others can read refuses to start, saying how to fix it.

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/held_job.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

constexpr std::chrono::seconds kAgentExitTimeout{15};

// Values only the agent's environment holds: none may appear in a job's log.
const std::string kCanary = "canary-7d1e0f3b9a";
const std::string kGitToken = "ghp_agentGitToken5c2b8e1d";
const std::string kAdminToken = "admin-token-3e9f0a7c";

std::string attacker_config(const std::filesystem::path& credentials,
                            const std::filesystem::path& work_dir) {
    const std::string cred = credentials.string();
    const std::string work = work_dir.string();
    return R"(version: 2.1
jobs:
  build:
    docker:
      - image: fmg/busybox:latest
    environment:
      JOB_VAR: job-value-41
    steps:
      - checkout
      - run:
          name: Take what the runner trusts
          environment:
            STEP_VAR: step-value-42
          command: |
            echo "--- env"
            env
            echo "--- agent env"
            tr '\0' '\n' < /proc/$PPID/environ || echo "agent environ refused"
            echo "--- credentials"
            cat )" +
           cred +
           R"( || echo "credentials refused"
            echo "--- work dir"
            ls -A )" +
           work +
           R"(
            ls )" +
           work +
           R"(/mirrors || echo "mirrors hidden"
            echo "--- docker"
            curl -sS --max-time 5 --unix-socket /var/run/docker.sock http://docker/_ping \
              && echo " docker reached" || echo "docker refused"
            echo "--- checkout"
            cat README.md
)";
}

}  // namespace

TEST_CASE("e2e: a shell step sees neither the agent's variables nor its credentials",
          "[shell-isolation]") {
    Cluster cluster;
    // The agent's environment as an operator's could be: a canary, the git token its
    AgentOptions shell = shell_agent_options();
    // checkouts use, an admin token exported in the same shell.
    shell.command_prefix = {"env", "FMG_SECRET_CANARY=" + kCanary, "FMG_GIT_TOKEN=" + kGitToken,
                            "FMG_TOKEN=" + kAdminToken, "GITHUB_TOKEN=" + kAdminToken};
    cluster.start_runner("runner-1", shell);
    const auto credentials = cluster.dir() / "runner-1.cred";
    const auto work_dir = cluster.dir() / "agents" / "runner-1";

    GitRepo repo = cluster.make_repo();
    repo.write_file("README.md", "the checkout is here 5a1\n");
    repo.write_config(attacker_config(credentials, work_dir));
    const int64_t id = cluster.push(repo, repo.commit("A step that goes for the secrets"));
    const auto pipeline = cluster.wait_for_final(id);
    const std::string log = job_log(cluster, id, "build");
    INFO("log:\n" << log);
    CHECK(string_field(pipeline, "status") == "success");

    // None of the agent's own values, by name or by value.
    CHECK_THAT(log, !Catch::Contains(kCanary));
    CHECK_THAT(log, !Catch::Contains(kGitToken));
    CHECK_THAT(log, !Catch::Contains(kAdminToken));
    CHECK_THAT(log, !Catch::Contains("FMG_SECRET_CANARY"));
    CHECK_THAT(log, !Catch::Contains("FMG_CREDENTIALS"));
    CHECK_THAT(log, !Catch::Contains("secret_key"));
    CHECK_THAT(log, Catch::Contains("agent environ refused"));
    CHECK_THAT(log, Catch::Contains("credentials refused"));
    // The agent's work dir shows the job's workspace and step tools (the CircleCI commands)
    // only: no mirrors, spool or other jobs.
    CHECK_THAT(log, Catch::Contains("--- work dir\nstep-tools\nworkspaces\n"));
    CHECK_THAT(log, Catch::Contains("mirrors hidden"));
    CHECK_THAT(log, Catch::Contains("docker refused"));
    CHECK_THAT(log, !Catch::Contains("docker reached"));
    // What the job is meant to have is there.
    CHECK_THAT(log, Catch::Contains("JOB_VAR=job-value-41"));
    CHECK_THAT(log, Catch::Contains("STEP_VAR=step-value-42"));
    CHECK_THAT(log, Catch::Contains("CI=true"));
    CHECK_THAT(log, Catch::Contains("TERM=dumb"));
    CHECK_THAT(log, Catch::Contains("the checkout is here 5a1"));
}

TEST_CASE("e2e: an agent refuses a credentials file others can read, and says chmod 600",
          "[shell-isolation]") {
    Cluster cluster;
    // As `fmg configure add-runner HOST > FILE` makes it under umask 022.
    AgentOptions shell = shell_agent_options();
    const auto credentials = cluster.add_runner("runner-1");
    REQUIRE(::chmod(credentials.c_str(), 0644) == 0);
    Process& refused = cluster.start_agent("runner-1", credentials, shell);
    const auto ended = refused.wait_for(deadline_after(kAgentExitTimeout));
    INFO(tail_files(cluster.log_files()));
    REQUIRE(ended);
    CHECK(ended->exited_with(2));
    CHECK_THAT(refused.stderr_text(), Catch::Contains("chmod 600 " + credentials.string()));
    CHECK_THAT(refused.stderr_text(), Catch::Contains("mode 0644"));
    auto runner = cluster.find_runner("runner-1");
    REQUIRE(runner);
    CHECK(string_field(runner, "state") != "online");

    // Fixed as the message says, the same file works.
    REQUIRE(::chmod(credentials.c_str(), 0600) == 0);
    Process& agent = cluster.restart_agent("runner-1", shell);
    cluster.wait_for_runner_state("runner-1", "online");
    CHECK(agent.running());
}

TEST_CASE("e2e: a Docker step's environment holds none of the agent's variables either",
          "[shell-isolation][docker]") {
    Cluster cluster;
    AgentOptions docker;
    docker.executor = "docker";
    docker.command_prefix = {"env", "FMG_SECRET_CANARY=" + kCanary, "FMG_GIT_TOKEN=" + kGitToken,
                             "FMG_TOKEN=" + kAdminToken};
    cluster.start_runner("runner-1", docker);

    GitRepo repo = cluster.make_repo();
    repo.write_config(R"(version: 2.1
jobs:
  build:
    docker:
      - image: fmg/busybox:latest
    environment:
      JOB_VAR: job-value-41
    steps:
      - run: env
)");
    const int64_t id = cluster.push(repo, repo.commit("A Docker step that prints env"));
    const auto pipeline = cluster.wait_for_final(id);
    const std::string log = job_log(cluster, id, "build");
    INFO("log:\n" << log);
    CHECK(string_field(pipeline, "status") == "success");
    CHECK_THAT(log, Catch::Contains("JOB_VAR=job-value-41"));
    CHECK_THAT(log, !Catch::Contains(kCanary));
    CHECK_THAT(log, !Catch::Contains(kGitToken));
    CHECK_THAT(log, !Catch::Contains(kAdminToken));
    CHECK_THAT(log, !Catch::Contains("FMG_SECRET_CANARY"));
}
