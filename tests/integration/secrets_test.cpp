// Secrets through the real binaries (docs/security.md "Secrets"): `fmg secret set` from
// standard input, a job of a workflow with `context:` gets the values as variables, and a
// value printed whole, in two writes and base64-encoded is `****` in the log; no value is in
// an API answer, the coordinator's data dir or the agent's work dir in clear; the key rotates
// and the secrets still open; a too-short value is refused; a fork's pull request runs without
// secrets and its log says so; a context without secrets fails the job clearly; a repository's
// secrets reach its jobs and no other repository's.

#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>

#include "shared/crypto.h"
#include "tests/support/cluster.h"
#include "tests/support/docker.h"
#include "tests/support/json.h"
#include "tests/support/webhook.h"

using namespace fmg::testing;

namespace {

const std::string kValue = "s3cr3t-Value-0123456789";

const std::string kConfig = R"yaml(version: 2.1
jobs:
  deploy:
    machine: true
    steps:
      - run: echo "token=$DEPLOY_TOKEN"
      - run: |
          printf '%s' "$DEPLOY_TOKEN" | head -c 9
          sleep 0.5
          printf '%s\n' "$DEPLOY_TOKEN" | tail -c +10
      - run: printf '%s' "$DEPLOY_TOKEN" | base64
      - run: |
          if [ "$(printf '%s' "$DEPLOY_TOKEN" | sha256sum | cut -c1-64)" = "@SHA256@" ]; then
            echo value-arrived
          else echo "no value: [$DEPLOY_TOKEN]"; fi
workflows:
  ship:
    jobs:
      - deploy:
          context: prod
)yaml";

/// The config with the SHA-256 of the value its last step checks for: the value itself must
/// not be in the repository, whose mirror is in the data dir and whose steps are in the API.
std::string config() {
    std::string text = kConfig;
    return text.replace(text.find("@SHA256@"), 8, fmg::crypto::sha256_hex(kValue));
}

/// A job that holds its secret in a running step until the file `release` exists, so a test
/// can look at the runner's processes and containers meanwhile.
const std::string kHoldingConfig = R"yaml(version: 2.1
jobs:
  deploy:
    @EXECUTOR@
    steps:
      - run: |
          echo "holding $DEPLOY_TOKEN"
          while [ ! -e "@RELEASE@" ]; do sleep 0.1; done
workflows:
  ship:
    jobs:
      - deploy:
          context: prod
)yaml";

std::string holding_config(const std::string& executor, const std::filesystem::path& release) {
    std::string text = kHoldingConfig;
    text.replace(text.find("@EXECUTOR@"), 10, executor);
    return text.replace(text.find("@RELEASE@"), 9, release.string());
}

/// The command lines of every process of this machine, NUL-separated as /proc has them.
std::string every_command_line() {
    std::string all;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        const std::string name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream in(entry.path() / "cmdline", std::ios::binary);
        all += std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        all += '\n';
    }
    return all;
}

/// The regular files under `root` that contain `needle`.
std::vector<std::string> files_containing(const std::filesystem::path& root,
                                          const std::string& needle) {
    std::vector<std::string> found;
    if (!std::filesystem::exists(root)) return found;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(
             root, std::filesystem::directory_options::skip_permission_denied)) {
        if (!entry.is_regular_file() || entry.is_symlink()) continue;
        if (read_file_text(entry.path()).find(needle) != std::string::npos) {
            found.push_back(entry.path().string());
        }
    }
    return found;
}

}  // namespace

TEST_CASE(
    "e2e: a context's secret reaches the job, and whole, split or base64 it is **** in the log") {
    Cluster cluster;
    cluster.start_runner("runner-1", machine_agent_options());

    const CommandResult set =
        cluster.fmg_with_input({"secret", "set", "prod", "DEPLOY_TOKEN"}, kValue + "\n");
    INFO(set.describe({"fmg", "secret", "set", "prod", "DEPLOY_TOKEN"}));
    REQUIRE(set.ok());
    CHECK_THAT(set.out, Catch::Contains("created"));
    // Too short to be a secret: refused, and nothing stored.
    const CommandResult short_value =
        cluster.fmg_with_input({"secret", "set", "prod", "PIN"}, "abc\n");
    CHECK(short_value.status.exited_with(1));
    CHECK_THAT(short_value.err, Catch::Contains("at least 4 characters"));
    // The key rotates; the secret still opens afterwards (the job below proves it).
    const CommandResult rotated = cluster.fmg({"secret", "rotate-key"});
    INFO(rotated.describe({"fmg", "secret", "rotate-key"}));
    REQUIRE(rotated.ok());
    CHECK_THAT(rotated.out, Catch::Contains("key 2 now seals 1 secret(s)"));
    const std::string key_file = read_file_text(cluster.data_dir() / "secrets.key");
    CHECK(key_file.find("key 2 ") != std::string::npos);
    CHECK(key_file.find("key 1 ") == std::string::npos);

    const CommandResult list = cluster.fmg({"secret", "list", "prod"});
    REQUIRE(list.ok());
    CHECK_THAT(list.out, Catch::StartsWith("DEPLOY_TOKEN  created") && Catch::Contains("by admin"));
    CHECK(list.out.find("PIN") == std::string::npos);
    // Setting it again replaces it (200), and `rm` of one that is not there is exit 4.
    const CommandResult again =
        cluster.fmg_with_input({"secret", "set", "prod", "DEPLOY_TOKEN"}, kValue + "\n");
    REQUIRE(again.ok());
    CHECK_THAT(again.out, Catch::Contains("replaced"));
    CHECK(cluster.fmg({"secret", "rm", "prod", "NO_SUCH"}).status.exited_with(4));

    GitRepo repo = cluster.make_repo();
    repo.write_config(config());
    const int64_t id = cluster.push(repo, repo.commit("Deploy"));
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    REQUIRE(string_field(pipeline, "status") == "success");

    const std::string log = cluster.job_log(id, "deploy");
    INFO("log:\n" << log);
    CHECK_THAT(log, Catch::Contains("fmg: secrets of context(s) prod: DEPLOY_TOKEN"));
    CHECK_THAT(log, Catch::Contains("token=****"));
    CHECK_THAT(log, Catch::Contains("value-arrived"));
    const std::string base64 = fmg::crypto::base64_encode(kValue);
    CHECK(log.find(kValue.substr(0, 9)) == std::string::npos);  // not even the first write
    CHECK(log.find(kValue.substr(9)) == std::string::npos);
    CHECK(log.find(base64.substr(0, 12)) == std::string::npos);
    CHECK(log.find("****\n****\n****\nvalue-arrived") != std::string::npos);

    // Nowhere in clear: API answers, the coordinator's data dir, the agent's work dir.
    const auto api = cluster.api();
    for (const std::string& path :
         {"/api/v1/pipelines/" + std::to_string(id), std::string("/api/v1/contexts/prod/secrets"),
          std::string("/api/v1/contexts"), std::string("/api/v1/audit")}) {
        const HttpResponse answer = api.get(path);
        INFO(path << ": " << answer.describe());
        CHECK(answer.status == 200);
        CHECK(answer.body.find(kValue) == std::string::npos);
    }
    CHECK(files_containing(cluster.data_dir(), kValue).empty());
    CHECK(files_containing(cluster.data_dir(), base64).empty());
    CHECK(files_containing(cluster.dir() / "agents", kValue).empty());
    CHECK(files_containing(cluster.dir() / "logs", kValue).empty());

    REQUIRE(cluster.fmg({"secret", "rm", "prod", "DEPLOY_TOKEN"}).ok());
    CHECK_THAT(cluster.fmg({"secret", "list", "prod"}).err, Catch::Contains("has no secrets"));
}

TEST_CASE(
    "e2e: a context without secrets fails the job with what to do, and a viewer cannot read "
    "secrets") {
    Cluster cluster;
    cluster.start_runner("runner-1", machine_agent_options());
    GitRepo repo = cluster.make_repo();
    repo.write_config(config());
    const int64_t id = cluster.push(repo, repo.commit("Deploy"));
    const auto pipeline = cluster.wait_for_final(id);
    CHECK(string_field(pipeline, "status") == "failed");
    const std::string log = cluster.job_log(id, "deploy");
    INFO("log:\n" << log);
    CHECK_THAT(log, Catch::Contains("context prod has no secrets") &&
                        Catch::Contains("fmg secret set prod NAME"));
    CHECK(log.find("token=") == std::string::npos);  // no later step ran

    const CommandResult viewer_token =
        cluster.fmg({"token", "create", "reader", "--role", "viewer"});
    REQUIRE(viewer_token.ok());
    const std::string viewer = viewer_token.out.substr(0, viewer_token.out.find('\n'));
    CHECK(cluster.fmg_as(viewer, {"secret", "list", "prod"}).status.exited_with(3));
    CHECK(HttpClient(cluster.server_url(), viewer)
              .request("PUT", "/api/v1/contexts/prod/secrets/X_TOKEN", "abcdefgh", {})
              .status == 403);
    CHECK(cluster.api().get("/api/v1/contexts").body.find("prod") == std::string::npos);
}

TEST_CASE("e2e: a fork's pull request runs without secrets, and its log says so") {
    Cluster cluster;
    cluster.start_runner("runner-1", machine_agent_options());
    REQUIRE(cluster.fmg_with_input({"secret", "set", "prod", "DEPLOY_TOKEN"}, kValue).ok());
    GitRepo base = cluster.make_repo("octo/demo");
    GitRepo fork = cluster.make_repo("forker/demo");
    base.write_config(config());
    base.commit("Add CI");
    fork.write_config(config());
    const std::string fork_sha = fork.commit("A stranger's change");

    PullRequestEvent event;
    event.number = 12;
    event.base_clone_url = base.url();
    event.head_owner = "forker";
    event.head_clone_url = fork.url();
    event.head_ref = "patch-1";
    event.head_sha = fork_sha;
    event.user = "forker";
    const HttpResponse delivered =
        cluster.deliver("pull_request", pull_request_payload(event), new_delivery_id());
    INFO(delivered.describe());
    REQUIRE(delivered.status == 202);
    const int64_t id = int_field(delivered.json(), "pipeline_id");
    cluster.wait_for_job_status(id, "deploy", "on_hold");
    REQUIRE(cluster.fmg({"approve", std::to_string(id)}).ok());

    cluster.wait_for_final(id);
    const std::string log = cluster.job_log(id, "deploy");
    INFO("log:\n" << log);
    CHECK_THAT(log, Catch::Contains("fmg: this pull request comes from a fork (forker/demo): it "
                                    "runs without secrets"));
    CHECK_THAT(log, Catch::Contains("token=\n"));
    CHECK_THAT(log, Catch::Contains("no value: []"));
    CHECK(log.find(kValue) == std::string::npos);
}

TEST_CASE(
    "e2e: a running job's secret is in no process's arguments and no container's configuration",
    "[docker]") {
    require_docker();
    Cluster cluster;
    cluster.start_runner("runner-docker");
    REQUIRE(cluster.fmg_with_input({"secret", "set", "prod", "DEPLOY_TOKEN"}, kValue).ok());
    GitRepo repo = cluster.make_repo();
    // The step runs in the job's container; the test releases it by a file in there.
    repo.write_config(
        holding_config("docker:\n      - image: " + kTestImage, "/tmp/fmg-secrets-release"));
    const int64_t id = cluster.push(repo, repo.commit("Hold"));
    cluster.wait_until(
        deadline_after(kPipelineTimeout),
        [&] {
            const CommandResult log = cluster.fmg({"logs", std::to_string(id), "deploy"});
            return log.ok() && log.out.find("holding ****") != std::string::npos;
        },
        "the step to print its masked secret");

    // The value is in the step's environment (it printed it), yet in no argument list and
    // in no container's configuration (which Docker keeps on disk).
    CHECK(every_command_line().find(kValue) == std::string::npos);
    ProcessOptions inspect;
    inspect.argv = {
        "sh", "-c",
        "docker ps -q --filter label=fmg.runner=runner-docker | xargs -r docker inspect"};
    const CommandResult inspected = run_command(inspect, std::chrono::seconds(30));
    REQUIRE(inspected.ok());
    CHECK(inspected.out.find("\"Env\"") != std::string::npos);
    CHECK(inspected.out.find(kValue) == std::string::npos);

    ProcessOptions release;
    release.argv = {
        "sh", "-c",
        "docker ps -q --filter label=fmg.runner=runner-docker | xargs -r -I{} docker exec {} "
        "touch /tmp/fmg-secrets-release"};
    REQUIRE(run_command(release, std::chrono::seconds(30)).ok());
    const auto pipeline = cluster.wait_for_final(id);
    CHECK(string_field(pipeline, "status") == "success");
    CHECK(files_containing(cluster.data_dir(), kValue).empty());
    CHECK(files_containing(cluster.dir() / "agents", kValue).empty());
}

TEST_CASE(
    "e2e: a repository's secrets reach every job of its pipelines, and no other repository's "
    "config can name them") {
    Cluster cluster;
    cluster.start_runner("runner-1", machine_agent_options());
    // GitHub ignores the case of owner/name: so does the repository's scope.
    REQUIRE(cluster.fmg_with_input({"secret", "set", "--repo", "Octo/Demo", "DEPLOY_TOKEN"}, kValue)
                .ok());
    const std::string other_value = "other-repo-value-42";
    REQUIRE(
        cluster
            .fmg_with_input({"secret", "set", "--repo", "octo/other", "OTHER_TOKEN"}, other_value)
            .ok());
    const CommandResult listed = cluster.fmg({"secret", "list", "--repo", "octo/demo"});
    REQUIRE(listed.ok());
    CHECK_THAT(listed.out, Catch::Contains("DEPLOY_TOKEN"));
    CHECK(cluster.fmg({"secret", "list"}).out.find("octo") == std::string::npos);  // no context
    CHECK(cluster.fmg({"secret", "set", "--repo", "octo", "X_TOKEN"}).status.exited_with(2));

    GitRepo repo = cluster.make_repo();
    std::string text = R"yaml(version: 2.1
jobs:
  build:
    machine: true
    steps:
      - run: echo "token=$DEPLOY_TOKEN other=[$OTHER_TOKEN]"
      - run: |
          if [ "$(printf '%s' "$DEPLOY_TOKEN" | sha256sum | cut -c1-64)" = "@SHA256@" ]; then
            echo value-arrived
          else echo "no value: [$DEPLOY_TOKEN]"; fi
  sneaky:
    machine: true
    steps:
      - run: echo "other=[$OTHER_TOKEN]"
workflows:
  w:
    jobs:
      - build
      - sneaky:
          context: octo/other
)yaml";
    repo.write_config(text.replace(text.find("@SHA256@"), 8, fmg::crypto::sha256_hex(kValue)));
    const int64_t id = cluster.push(repo, repo.commit("Build"));
    cluster.wait_for_final(id);

    const std::string build = cluster.job_log(id, "build");
    INFO("build's log:\n" << build);
    CHECK_THAT(build, Catch::Contains("fmg: secrets of repository octo/demo: DEPLOY_TOKEN"));
    CHECK_THAT(build, Catch::Contains("token=**** other=[]"));
    CHECK_THAT(build, Catch::Contains("value-arrived"));
    const std::string sneaky = cluster.job_log(id, "sneaky");
    INFO("sneaky's log:\n" << sneaky);
    CHECK_THAT(sneaky, Catch::Contains("there is no context octo/other"));
    CHECK(sneaky.find("other=[") == std::string::npos);  // its step never ran
    cluster.wait_for_job_status(id, "sneaky", "failed");
    CHECK(files_containing(cluster.data_dir(), kValue).empty());
    CHECK(files_containing(cluster.data_dir(), other_value).empty());

    // Admin only, reads included.
    const CommandResult viewer_token =
        cluster.fmg({"token", "create", "reader", "--role", "viewer"});
    REQUIRE(viewer_token.ok());
    const std::string viewer = viewer_token.out.substr(0, viewer_token.out.find('\n'));
    CHECK(HttpClient(cluster.server_url(), viewer)
              .request("GET", "/api/v1/repos/octo/demo/secrets", "", {})
              .status == 403);
    REQUIRE(cluster.fmg({"secret", "rm", "--repo", "octo/demo", "DEPLOY_TOKEN"}).ok());
    CHECK_THAT(cluster.fmg({"secret", "list", "--repo", "octo/demo"}).err,
               Catch::Contains("repository octo/demo has no secrets"));
}

namespace {

/// An SSH key made by ssh-keygen under `dir`: the private key's text, its public line and its
/// SHA-256 fingerprint as `ssh-keygen -l` prints it.
struct MadeKey {
    std::string private_key;
    std::string public_line;  // "ssh-ed25519 AAAA..." without the comment
    std::string sha256;
};

/// What only the command line of an ssh-agent of this cluster's shell runners holds: "-a", NUL
/// and its socket under their work dirs (other tests' agents may run meanwhile).
std::string ssh_agent_of(const Cluster& cluster) {
    return std::string("-a\0", 3) + (cluster.dir() / "agents").string();
}

/// Sets a secret of the repository the cluster's pushes come from (octo/demo).
void set_repository_secret(const Cluster& cluster, const std::string& name,
                           const std::string& value) {
    REQUIRE(cluster.fmg_with_input({"secret", "set", "--repo", "octo/demo", name}, value).ok());
}

MadeKey make_ssh_key(const std::filesystem::path& dir, const std::string& name) {
    const auto path = dir / name;
    ProcessOptions keygen;
    keygen.argv = {"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path.string()};
    REQUIRE(run_command(keygen, std::chrono::seconds(30)).ok());
    ProcessOptions fingerprint;
    fingerprint.argv = {"ssh-keygen", "-l", "-E", "sha256", "-f", path.string() + ".pub"};
    const CommandResult listed = run_command(fingerprint, std::chrono::seconds(30));
    REQUIRE(listed.ok());
    MadeKey key;
    key.private_key = read_file_text(path);
    const std::string public_text = read_file_text(path.string() + ".pub");
    key.public_line = public_text.substr(0, public_text.rfind(' '));
    const size_t start = listed.out.find(' ') + 1;
    key.sha256 = listed.out.substr(start, listed.out.find(' ', start) - start);
    return key;
}

}  // namespace

TEST_CASE(
    "e2e: add_ssh_keys loads the repository's key its fingerprint names into an SSH agent, "
    "and the key is nowhere on disk or in the log") {
    Cluster cluster;
    cluster.start_runner("runner-1", machine_agent_options());
    const MadeKey deploy = make_ssh_key(cluster.dir().path(), "deploy_key");
    const MadeKey spare = make_ssh_key(cluster.dir().path(), "spare_key");
    set_repository_secret(cluster, "DEPLOY_KEY", deploy.private_key);
    set_repository_secret(cluster, "SPARE_KEY", spare.private_key);
    // One line of each key's body: what a leak of the key would show.
    const std::string deploy_line =
        deploy.private_key.substr(deploy.private_key.find('\n') + 1, 60);

    GitRepo repo = cluster.make_repo();
    std::string text = R"yaml(version: 2.1
jobs:
  deploy:
    machine: true
    steps:
      - add_ssh_keys:
          fingerprints:
            - "@FINGERPRINT@"
      - run: ssh-add -L
      - run: |
          echo "agent at [$SSH_AUTH_SOCK]"
          test -S "$SSH_AUTH_SOCK" && echo agent-socket-ok
  stranger:
    machine: true
    steps:
      - add_ssh_keys:
          fingerprints:
            - "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
      - run: echo should-not-run
workflows:
  w:
    jobs: [deploy, stranger]
)yaml";
    repo.write_config(text.replace(text.find("@FINGERPRINT@"), 13, deploy.sha256));
    const int64_t id = cluster.push(repo, repo.commit("Deploy over SSH"));
    cluster.wait_for_final(id);

    const std::string log = cluster.job_log(id, "deploy");
    INFO("deploy's log:\n" << log);
    cluster.wait_for_job_status(id, "deploy", "success");
    CHECK_THAT(log, Catch::Contains("fmg: adding " + deploy.sha256));
    CHECK_THAT(log, Catch::Contains(deploy.public_line));     // ssh-add -L: the agent holds it
    CHECK(log.find(spare.public_line) == std::string::npos);  // not named: not loaded
    CHECK_THAT(log, Catch::Contains("agent-socket-ok"));
    CHECK(log.find(deploy_line) == std::string::npos);

    const std::string stranger = cluster.job_log(id, "stranger");
    INFO("stranger's log:\n" << stranger);
    cluster.wait_for_job_status(id, "stranger", "failed");
    CHECK_THAT(stranger,
               Catch::Contains("no secret of this job holds the SSH key SHA256:AAAAAAAA"));
    CHECK(stranger.find("should-not-run") == std::string::npos);

    // The key was in memory only: no file of the coordinator's or the runner's holds it, and
    // the job's ssh-agent ended with the job.
    CHECK(files_containing(cluster.data_dir(), deploy_line).empty());
    CHECK(files_containing(cluster.dir() / "agents", deploy_line).empty());
    CHECK(files_containing(cluster.dir() / "logs", deploy_line).empty());
    CHECK(every_command_line().find(ssh_agent_of(cluster)) == std::string::npos);
}

TEST_CASE("e2e: a shell job's SSH agent dies with its fmg-agent, even one killed by SIGKILL") {
    Cluster cluster;
    Process& agent = cluster.start_runner("runner-1", machine_agent_options());
    const MadeKey deploy = make_ssh_key(cluster.dir().path(), "deploy_key");
    set_repository_secret(cluster, "DEPLOY_KEY", deploy.private_key);
    GitRepo repo = cluster.make_repo();
    repo.write_config(
        "version: 2.1\njobs:\n  build:\n    machine: true\n    steps:\n      - add_ssh_keys\n"
        "      - run: echo holding; sleep 600\n");
    const int64_t id = cluster.push(repo, repo.commit("Hold"));
    const std::string socket_flag = ssh_agent_of(cluster);
    cluster.wait_until(
        deadline_after(kPipelineTimeout),
        [&] {
            const CommandResult log = cluster.fmg({"logs", std::to_string(id), "build"});
            return log.ok() && log.out.find("holding") != std::string::npos;
        },
        "the job to hold after loading its key");
    REQUIRE(every_command_line().find(socket_flag) != std::string::npos);  // it runs

    agent.kill(SIGKILL);
    cluster.wait_until(
        deadline_after(std::chrono::seconds(10)),
        [&] { return every_command_line().find(socket_flag) == std::string::npos; },
        "the job's ssh-agent to end with its fmg-agent");
}

TEST_CASE(
    "e2e: add_ssh_keys in a container gives a non-root step user an agent holding the key, and "
    "an image without ssh-agent fails saying what to install",
    "[docker]") {
    require_docker();
    Cluster cluster;
    cluster.start_runner("runner-docker");
    const MadeKey deploy = make_ssh_key(cluster.dir().path(), "deploy_key");
    set_repository_secret(cluster, "DEPLOY_KEY", deploy.private_key);
    const std::string deploy_line =
        deploy.private_key.substr(deploy.private_key.find('\n') + 1, 60);
    GitRepo repo = cluster.make_repo();
    repo.write_config(
        "version: 2.1\njobs:\n"
        "  ssh:\n    docker:\n      - image: " +
        kSshTestImage +
        "\n    steps:\n      - add_ssh_keys\n      - run: id -un; ssh-add -L\n"
        "  plain:\n    docker:\n      - image: " +
        kTestImage +
        "\n    steps:\n      - add_ssh_keys\n      - run: echo should-not-run\n"
        "workflows:\n  w:\n    jobs: [ssh, plain]\n");
    const int64_t id = cluster.push(repo, repo.commit("Build"));
    cluster.wait_for_final(id);

    const std::string ssh = cluster.job_log(id, "ssh");
    INFO("ssh's log:\n" << ssh);
    cluster.wait_for_job_status(id, "ssh", "success");
    CHECK_THAT(ssh, Catch::Contains("builder\n"));  // the image's user, not root
    CHECK_THAT(ssh, Catch::Contains(deploy.public_line));
    CHECK_THAT(ssh, Catch::Contains("SSH_AUTH_SOCK=/tmp/fmg-ssh-agent/agent.sock"));
    CHECK(ssh.find(deploy_line) == std::string::npos);

    const std::string plain = cluster.job_log(id, "plain");
    INFO("plain's log:\n" << plain);
    cluster.wait_for_job_status(id, "plain", "failed");
    CHECK_THAT(plain, Catch::Contains("ssh-agent is not installed in this job's image (install "
                                      "openssh-client in it)"));
    CHECK(plain.find("should-not-run") == std::string::npos);
    CHECK(files_containing(cluster.data_dir(), deploy_line).empty());
    CHECK(files_containing(cluster.dir() / "agents", deploy_line).empty());
}
