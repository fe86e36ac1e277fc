// Credentials (docs/security.md, "Values that reach URLs, repository fetches,
// credentials"): runner host names and labels cannot inject text into the credentials file,
// which is YAML written by an emitter and parses back to exactly what was registered;
// `add-runner -o FILE` makes the file 0600; an http:// GitHub API URL off loopback is refused.

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>

#include "tests/support/binaries.h"
#include "tests/support/cluster.h"
#include "tests/support/json.h"

using namespace fmg::testing;

TEST_CASE("attack: labels and host names cannot inject keys into the credentials file") {
    Cluster cluster;
    const std::vector<std::string> injections = {
        "a\nsecret_key: x", "a: b", "x'y", "a b", "-lead", "a#b", std::string(64, 'l')};
    for (const auto& label : injections) {
        Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
        body->set("host", "build-01");
        Poco::JSON::Array::Ptr labels = new Poco::JSON::Array;
        labels->add(label);
        body->set("labels", labels);
        const HttpResponse answer = cluster.api().post_json("/api/v1/runners", to_json(body));
        INFO("label " << label << ": " << answer.describe());
        CHECK(answer.status == 400);
        CHECK(string_field(answer.json(), "error").find('\n') == std::string::npos);
    }
    for (const std::string host : {"build-01\nsecret_key: x", "a/b", "-x", "a..b", "h_1"}) {
        Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
        body->set("host", host);
        const HttpResponse answer = cluster.api().post_json("/api/v1/runners", to_json(body));
        INFO("host " << host << ": " << answer.describe());
        CHECK(answer.status == 400);
    }
    // The CLI refuses them before asking the coordinator: a usage error.
    const CommandResult label =
        cluster.fmg({"configure", "add-runner", "build-01", "--labels", "a\nsecret_key: x"});
    INFO(label.describe({"fmg", "configure", "add-runner", "build-01", "--labels", "..."}));
    CHECK(label.status.exited_with(2));
    const CommandResult host = cluster.fmg({"configure", "add-runner", "b\nsecret_key: x"});
    CHECK(host.status.exited_with(2));
    for (const auto& runner : cluster.runners())
        FAIL("a runner was registered: " << to_json(runner));
}

TEST_CASE("credentials: add-runner -o writes a 0600 file that parses back to what was registered") {
    Cluster cluster;
    const auto file = cluster.dir() / "build-07.cred";
    const CommandResult added =
        cluster.fmg({"configure", "add-runner", "build-07.example.com", "--labels",
                     "docker,arm64,gpu.large", "--capacity", "3", "-o", file.string()});
    INFO(added.describe({"fmg", "configure", "add-runner", "..."}));
    REQUIRE(added.ok());
    CHECK(added.out.empty());  // the credentials went to the file, not to stdout
    CHECK_THAT(added.err, Catch::Contains(file.string()));

    struct stat info {};
    REQUIRE(::stat(file.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);

    const YAML::Node root = YAML::LoadFile(file.string());
    const auto runner = cluster.find_runner("build-07.example.com");
    REQUIRE(runner);
    CHECK(root.size() == 8);
    CHECK(root["runner_id"].as<int64_t>() == int_field(runner, "id"));
    CHECK(root["host"].as<std::string>() == "build-07.example.com");
    CHECK(root["capacity"].as<int64_t>() == 3);
    CHECK(root["labels"].as<std::vector<std::string>>() ==
          std::vector<std::string>{"docker", "arm64", "gpu.large"});
    CHECK(root["coordinator"].as<std::string>() ==
          "tcp://127.0.0.1:" + std::to_string(cluster.agent_port()));
    for (const char* key : {"server_public_key", "public_key", "secret_key"}) {
        INFO(key);
        CHECK(root[key].as<std::string>().size() == 64);
    }

    // And an agent runs with it.
    const AgentOptions shell = shell_agent_options();
    cluster.start_agent("build-07.example.com", file, shell);
    cluster.wait_for_runner_state("build-07.example.com", "online");
}

TEST_CASE("credentials: add-runner > FILE warns that others can read the file") {
    Cluster cluster;
    const auto file = cluster.dir() / "redirected.cred";
    ProcessOptions process;
    // As a person types it, with the usual umask: the shell creates the file 0644.
    process.argv = {"/bin/sh",
                    "-c",
                    "umask 022; exec \"$0\" --server-url \"$1\" --token \"$2\" configure "
                    "add-runner build-08 > \"$3\"",
                    cli_binary().string(),
                    cluster.server_url(),
                    cluster.admin_token(),
                    file.string()};
    const CommandResult added = run_command(process, std::chrono::seconds(60));
    INFO(added.describe({"fmg", "configure", "add-runner", "build-08", ">", file.string()}));
    REQUIRE(added.ok());
    CHECK_THAT(added.err, Catch::Contains("chmod 600"));
    // stdout is still exactly the credentials (SPEC): the file parses.
    CHECK(YAML::LoadFile(file.string())["host"].as<std::string>() == "build-08");
}

TEST_CASE("credentials: an http:// GitHub API URL off loopback is refused at start") {
    TempDir dir;
    auto start = [&](const std::vector<std::string>& extra) {
        ProcessOptions process;
        process.argv = {coordinator_binary().string(),
                        "--data-dir",
                        (dir / "data").string(),
                        "--http-listen",
                        "127.0.0.1:0",
                        "--agent-listen",
                        "tcp://127.0.0.1:0"};
        process.argv.insert(process.argv.end(), extra.begin(), extra.end());
        process.env = {{"GITHUB_TOKEN", "ghs_secret"}};
        return run_command(process, std::chrono::seconds(20));
    };
    const CommandResult refused = start({"--github-api-url", "http://github.example.com/api/v3"});
    INFO(refused.describe({"fmg-coordinator", "--github-api-url", "http://github.example.com"}));
    CHECK(refused.status.exited_with(2));
    CHECK_THAT(refused.err, Catch::Contains("--allow-insecure-github-api"));
    CHECK_THAT(refused.err, Catch::Contains("in clear"));
}
