// The docker executor against the real engine, with the local test images built by
// scripts/build-test-image.sh. These tests fail, never skip, when Docker is not there.
#include "agent/executor/docker_executor.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <random>
#include <thread>

#include "agent/docker/client.h"
#include "agent/executor/executor_factory.h"
#include "agent/job/workspaces.h"
#include "executor_test_support.h"

using namespace fmg::agent;
using namespace fmg::agent::testing;
using namespace std::chrono_literals;

namespace {

constexpr const char* kSocket = "/var/run/docker.sock";
constexpr const char* kImage = "fmg/busybox:latest";
constexpr const char* kServiceImage = "fmg/busybox-httpd:latest";
constexpr const char* kUserImage = "fmg/busybox-user:latest";  // runs as builder (uid 1000)

docker::DockerClient& client() {
    static docker::DockerClient instance(kSocket);
    return instance;
}

void require_docker() {
    if (!client().ping()) {
        FAIL("Docker engine not reachable at /var/run/docker.sock: run scripts/ensure-docker.sh");
    }
    for (const char* image : {kImage, kServiceImage, kUserImage}) {
        auto found = client().inspect_image(image);
        if (!found || !*found) {
            FAIL(std::string("image ") + image + " missing: run scripts/build-test-image.sh");
        }
    }
}

int64_t unique_attempt() {
    std::random_device random;
    return 1'000'000'000 + static_cast<int64_t>(random() % 1'000'000'000);
}

std::vector<docker::ContainerSummary> containers_of(int64_t attempt) {
    auto listed =
        client().list_containers(std::string(kAttemptLabel) + "=" + std::to_string(attempt));
    REQUIRE(listed);
    return *listed;
}

// `docker inspect --format FORMAT NAME`, without its newline.
std::string inspect(const std::string& name, const std::string& format) {
    std::string command = "docker inspect --format '" + format + "' " + name;
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string out;
    char buffer[512];
    while (size_t got = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, got);
    ::pclose(pipe);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

struct DockerJob {
    TempWorkspace workspace;
    std::unique_ptr<Executor> executor = make_executor("docker", {kSocket, "/tmp", ""});
    JobSetup spec;
    std::unique_ptr<JobExecution> execution;

    DockerJob() {
        require_docker();
        spec.attempt_id = unique_attempt();
        spec.image = kImage;
        spec.working_directory = "~/project";
        spec.workspace = workspace.path();
    }
    ~DockerJob() {
        if (execution) execution->close();
    }
    void start() {
        CollectedOutput output;
        auto started = executor->start(spec, output.sink());
        if (!started) FAIL("start: " << started.error().message);
        execution = std::move(*started);
    }
    StepExit run(const std::string& command, CollectedOutput& output, RunStep step = {}) {
        step.command = command;
        return execution->run(step, output.sink());
    }
};

}  // namespace

TEST_CASE("docker: the engine answers on its socket", "[docker]") {
    require_docker();
    auto version = client().version();
    REQUIRE(version);
    CHECK_FALSE(version->version.empty());
    CHECK(std::stod(version->api_version) >= 1.41);
    CHECK(make_executor("docker", {kSocket, "/tmp", ""})->check());
}

TEST_CASE("docker: steps run in the job container with output, exit codes and env", "[docker]") {
    DockerJob job;
    job.spec.environment = {{"JOB_VAR", "job"}, {"BOTH", "job"}};
    std::ofstream(job.workspace.path() / "from-host.txt") << "checked out on the host\n";
    job.start();

    CollectedOutput output;
    StepExit exit = job.run("cat from-host.txt; pwd; echo to-stderr >&2; exit 4", output);
    CHECK(exit.kind == StepExit::Kind::exited);
    CHECK(exit.exit_code == 4);
    CHECK(output.text() == "checked out on the host\n/root/project\nto-stderr\n");

    RunStep step;
    step.environment = {{"BOTH", "step"}};
    CollectedOutput env;
    CHECK(job.run("echo \"$JOB_VAR $BOTH CI=$CI FMG=$FMG shell=$0\"", env, step).exit_code == 0);
    CHECK(env.text() == "job step CI=true FMG=true shell=/bin/sh\n");

    CollectedOutput pipefail;
    CHECK(job.run("false | true", pipefail).exit_code == 1);
}

TEST_CASE("docker: step directories are created under the mounted workspace", "[docker]") {
    DockerJob job;
    job.start();
    RunStep step;
    step.working_directory = "build/out";
    CollectedOutput output;
    CHECK(job.run("pwd; echo made-in-container > artefact.txt", output, step).exit_code == 0);
    CHECK(output.text() == "/root/project/build/out\n");
    std::ifstream artefact(job.workspace.path() / "build/out/artefact.txt");
    std::string line;
    CHECK(std::getline(artefact, line));
    CHECK(line == "made-in-container");
}

TEST_CASE("docker: a non-root image user may write the workspace", "[docker]") {
    DockerJob job;
    job.spec.image = kUserImage;
    std::ofstream(job.workspace.path() / "from-host.txt") << "host file\n";
    job.start();
    CollectedOutput output;
    StepExit exit = job.run(
        "id -un; echo $HOME; pwd; cat from-host.txt; echo written > by-builder.txt", output);
    CHECK(exit.exit_code == 0);
    CHECK(output.text() == "builder\n/home/builder\n/home/builder/project\nhost file\n");
    auto owner = [&](const char* name) {
        struct stat info {};
        REQUIRE(::stat((job.workspace.path() / name).c_str(), &info) == 0);
        return info.st_uid;
    };
    CHECK(owner("by-builder.txt") == 1000);
    job.execution->close();
    // The agent (root here) removes the workspace whoever owns its files.
    CHECK(remove_workspace(job.workspace.path()));
    CHECK_FALSE(std::filesystem::exists(job.workspace.path()));
}

TEST_CASE("docker: a service container is reachable on localhost", "[docker]") {
    DockerJob job;
    job.spec.services = {kServiceImage};
    job.start();
    REQUIRE(containers_of(job.spec.attempt_id).size() == 2);
    CollectedOutput output;
    StepExit exit = job.run(
        "for i in $(seq 1 100); do wget -q -O - http://127.0.0.1:8080/ && exit 0; sleep 0.1; done;"
        " exit 1",
        output);
    CHECK(exit.exit_code == 0);
    CHECK(output.contains("fmg-test-service"));
}

TEST_CASE("docker: cancel ends a running step at once and close removes the containers",
          "[docker]") {
    DockerJob job;
    job.spec.services = {kServiceImage};
    job.start();
    CollectedOutput output;
    StepExit exit;
    std::thread runner([&] { exit = job.run("echo ready; sleep 60", output); });
    REQUIRE(eventually([&] { return output.contains("ready"); }));
    auto cancelled_at = std::chrono::steady_clock::now();
    job.execution->cancel();
    runner.join();
    // The container is killed, not stopped with a grace (kDockerStopGrace, 10 s); without
    // the cancel the step would sleep 60 s.
    CHECK(seconds_since(cancelled_at) < 8.0);
    CHECK(exit.kind == StepExit::Kind::cancelled);

    CollectedOutput after;
    CHECK(job.run("echo must-not-run", after).kind == StepExit::Kind::cancelled);
    CHECK(after.text().empty());

    job.execution->close();
    CHECK(containers_of(job.spec.attempt_id).empty());
    job.execution->close();  // idempotent
}

TEST_CASE("docker: a silent step is stopped after no_output_timeout and the container lives on",
          "[docker]") {
    DockerJob job;
    job.start();
    RunStep step;
    step.no_output_timeout = 1s;
    CollectedOutput output;
    auto start = std::chrono::steady_clock::now();
    StepExit exit = job.run("echo started; sleep 60 & sleep 61", output, step);
    CHECK(exit.kind == StepExit::Kind::no_output_timeout);
    CHECK(seconds_since(start) < 10.0);
    CHECK(output.text() == "started\nfmg: step produced no output for 1s; stopped\n");

    // Both the step's shell and its background child were killed; later steps still run.
    CollectedOutput check;
    StepExit after = job.run(
        "if ps | grep 'sleep 6[01]'; then echo leftover; exit 1; fi; "
        "echo clean",
        check);
    CHECK(after.exit_code == 0);
    CHECK(check.text() == "clean\n");
}

TEST_CASE("docker: remove_orphans removes containers of attempts not kept", "[docker]") {
    require_docker();
    int64_t orphan = unique_attempt();
    int64_t kept = orphan + 1;
    auto make = [](int64_t attempt) {
        docker::ContainerSpec spec;
        spec.image = kImage;
        spec.labels = {{kAttemptLabel, std::to_string(attempt)}, {kRoleLabel, "job"}};
        spec.entrypoint = {"/bin/sh", "-c"};
        spec.cmd = {kKeepAliveScript};
        auto id = client().create_container(spec);
        REQUIRE(id);
        REQUIRE(client().start_container(*id));
        return *id;
    };
    std::string orphan_id = make(orphan);
    std::string kept_id = make(kept);

    // Keep every other labelled container on this engine: other agents may be using it.
    std::vector<int64_t> keep;
    auto all = client().list_containers(kAttemptLabel);
    REQUIRE(all);
    for (const auto& container : *all) {
        int64_t attempt = std::stoll(container.labels.at(kAttemptLabel));
        if (attempt != orphan) keep.push_back(attempt);
    }
    auto executor = make_executor("docker", {kSocket, "/tmp", ""});
    // At least the orphan: a runner without a name also removes every fmg network no kept
    // container uses, which an agent killed earlier on this engine may have left.
    CHECK(executor->remove_orphans(keep) >= 1);
    CHECK(containers_of(orphan).empty());
    REQUIRE(containers_of(kept).size() == 1);
    CHECK(containers_of(kept)[0].id == kept_id);
    CHECK(client().remove_container(kept_id));
}

TEST_CASE("docker: a pull from an unreachable registry fails the job with Docker's message",
          "[docker]") {
    DockerJob job;
    job.spec.image = "127.0.0.1:9/fmg-no-such-image:1.0";
    CollectedOutput output;
    auto started = job.executor->start(job.spec, output.sink());
    REQUIRE_FALSE(started);
    CHECK_THAT(started.error().message,
               Catch::StartsWith("pull 127.0.0.1:9/fmg-no-such-image:1.0: ") &&
                   Catch::Contains("127.0.0.1:9") && Catch::Contains("connection refused"));
    CHECK(output.text() == "Pulling 127.0.0.1:9/fmg-no-such-image:1.0...\n");
    CHECK(containers_of(job.spec.attempt_id).empty());
}

TEST_CASE("docker: an engine that is not there is named in the error", "[executor]") {
    auto executor = make_executor("docker", {"/nonexistent/docker.sock", "/tmp", ""});
    REQUIRE(executor);
    CHECK(executor->name() == "docker");
    auto checked = executor->check();
    REQUIRE_FALSE(checked);
    CHECK_THAT(checked.error().message,
               Catch::StartsWith("Docker engine not reachable at /nonexistent/docker.sock: "));
}

TEST_CASE("docker: a runner removes only its own orphans, never another runner's", "[docker]") {
    require_docker();
    int64_t mine = unique_attempt();
    int64_t theirs = mine + 1;
    auto make = [](int64_t attempt, const std::string& runner) {
        docker::ContainerSpec spec;
        spec.image = kImage;
        spec.labels = {
            {kAttemptLabel, std::to_string(attempt)}, {kRoleLabel, "job"}, {kRunnerLabel, runner}};
        spec.entrypoint = {"/bin/sh", "-c"};
        spec.cmd = {kKeepAliveScript};
        auto id = client().create_container(spec);
        REQUIRE(id);
        REQUIRE(client().start_container(*id));
        return *id;
    };
    std::string runner = "orphan-test-" + std::to_string(mine);
    make(mine, runner);
    std::string other_id = make(theirs, runner + "-other");

    // What an agent does at start: it runs nothing yet, so all of its containers are orphans.
    auto executor = make_executor("docker", {kSocket, "/tmp", runner});
    CHECK(executor->remove_orphans({}) == 1);
    CHECK(containers_of(mine).empty());
    REQUIRE(containers_of(theirs).size() == 1);
    CHECK(containers_of(theirs)[0].id == other_id);
    CHECK(client().remove_container(other_id));
}

TEST_CASE(
    "docker: job and service containers lose capabilities, get no-new-privileges and the "
    "policy's limits, on a network of their own that close removes",
    "[docker]") {
    DockerJob job;
    DockerJobPolicy policy{256 * 1024 * 1024, 500'000'000, 321, false};
    ExecutorOptions options{kSocket, "/tmp", ""};
    options.docker_policy = policy;
    job.executor = make_executor("docker", options);
    job.spec.services = {kServiceImage};
    job.start();
    auto containers = containers_of(job.spec.attempt_id);
    REQUIRE(containers.size() == 2);
    for (const auto& container : containers) {
        INFO(container.labels.at(kRoleLabel));
        CHECK(inspect(container.id, "{{json .HostConfig.CapDrop}}") ==
              R"(["MKNOD","NET_RAW","SETFCAP","SETPCAP","SYS_CHROOT"])");
        CHECK(inspect(container.id, "{{json .HostConfig.SecurityOpt}}") ==
              R"(["no-new-privileges"])");
        CHECK(
            inspect(container.id,
                    "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}") ==
            "268435456 500000000 321");
    }
    std::string network;
    for (const auto& container : containers) {
        if (container.labels.at(kRoleLabel) == "job") network = container.network_mode;
    }
    REQUIRE(network.rfind("fmg-", 0) == 0);
    const std::string bridge =
        inspect(network, R"({{index .Options "com.docker.network.bridge.name"}})");
    CHECK(bridge.rfind(kIsolatedBridgePrefix, 0) == 0);
    CHECK(bridge.size() == 15);
    CHECK(inspect(network, R"({{index .Labels "fmg.role"}})") == "network");
    CollectedOutput output;
    CHECK(job.run("grep NoNewPrivs /proc/self/status", output).exit_code == 0);
    CHECK(output.text() == "NoNewPrivs:\t1\n");

    job.execution->close();
    CHECK(containers_of(job.spec.attempt_id).empty());
    // The network goes on the pool's thread, after the job has reported.
    CHECK(eventually([&] { return inspect(network, "{{.Name}}").empty(); }));
}

TEST_CASE("docker: a runner with host access gets networks no firewall rule matches", "[docker]") {
    DockerJob job;
    DockerJobPolicy policy;
    policy.host_access = true;
    ExecutorOptions options{kSocket, "/tmp", ""};
    options.docker_policy = policy;
    job.executor = make_executor("docker", options);
    job.start();
    auto containers = containers_of(job.spec.attempt_id);
    REQUIRE(containers.size() == 1);
    CHECK(inspect(containers[0].network_mode,
                  R"({{index .Options "com.docker.network.bridge.name"}})")
              .rfind(kOpenBridgePrefix, 0) == 0);
}

TEST_CASE("docker: remove_orphans removes the runner's networks no kept attempt uses", "[docker]") {
    require_docker();
    const std::string runner = "orphan-networks-" + std::to_string(unique_attempt());
    int64_t orphan = unique_attempt();
    int64_t kept = orphan + 1;
    auto make = [&](const std::string& name, std::optional<int64_t> attempt) {
        docker::NetworkSpec spec;
        spec.name = name;
        spec.labels = {{kRoleLabel, kNetworkRoleValue}, {kRunnerLabel, runner}};
        if (attempt) spec.labels[kAttemptLabel] = std::to_string(*attempt);
        auto id = client().create_network(spec);
        REQUIRE(id);
        return *id;
    };
    make("fmg-test-orphan-" + std::to_string(orphan), orphan);
    make("fmg-test-ahead-" + std::to_string(orphan), std::nullopt);  // made ahead, never used
    const std::string used = "fmg-test-used-" + std::to_string(kept);
    const std::string used_id = make(used, std::nullopt);
    docker::ContainerSpec container;
    container.image = kImage;
    container.labels = {{kAttemptLabel, std::to_string(kept)}, {kRunnerLabel, runner}};
    container.entrypoint = {"/bin/sh", "-c"};
    container.cmd = {kKeepAliveScript};
    container.network_mode = used;
    auto container_id = client().create_container(container);
    REQUIRE(container_id);

    auto executor = make_executor("docker", {kSocket, "/tmp", runner});
    CHECK(executor->remove_orphans({kept}) == 2);
    auto left = client().list_networks(std::string(kRunnerLabel) + "=" + runner);
    REQUIRE(left);
    REQUIRE(left->size() == 1);
    CHECK(left->front().name == used);
    CHECK(client().remove_container(*container_id));
    CHECK(client().remove_network(used_id));
}
