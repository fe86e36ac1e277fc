// A docker image's `auth` taking its password from a secret, against a real registry: Debian's
// docker-registry (the Distribution registry) on a loopback port with htpasswd authentication.
// The image is pushed with `docker login`/`docker push`, removed from the engine, and then a job
// whose image names it must pull it with the job's credentials (docs/executors.md, the Docker
// executor's `start()`).

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/support/cluster.h"
#include "tests/support/docker.h"
#include "tests/support/held_job.h"
#include "tests/support/http_client.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

const std::string kUser = "fmg-puller";
const std::string kPassword = "registry-Pa55word-0123";

/// Runs a command to its end; fails the test with its output when it does not succeed.
CommandResult must_run(const ProcessOptions& options) {
    const CommandResult result = run_command(options, std::chrono::seconds(120));
    INFO(result.describe(options.argv));
    REQUIRE(result.ok());
    return result;
}

void write_file(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

/// A registry that wants kUser and kPassword, on a free loopback port, storing under `dir`.
class PrivateRegistry {
  public:
    explicit PrivateRegistry(const std::filesystem::path& dir) : port_(free_port()) {
        for (const char* program : {"/usr/bin/docker-registry", "/usr/bin/htpasswd"}) {
            if (!std::filesystem::exists(program)) {
                FAIL("this test needs " << program
                                        << ": install docker-registry and apache2-utils "
                                           "(scripts/bootstrap.sh does)");
            }
        }
        std::filesystem::create_directories(dir);
        ProcessOptions hash;
        hash.argv = {"htpasswd", "-Bbn", kUser, kPassword};
        write_file(dir / "htpasswd", must_run(hash).out);
        write_file(dir / "config.yml",
                   "version: 0.1\nlog:\n  level: warn\nstorage:\n"
                   "  filesystem:\n    rootdirectory: " +
                       (dir / "data").string() + "\nhttp:\n  addr: " + address() +
                       "\nauth:\n  htpasswd:\n    realm: fmg-test\n"
                       "    path: " +
                       (dir / "htpasswd").string() + "\n");
        ProcessOptions serve;
        serve.argv = {"docker-registry", "serve", (dir / "config.yml").string()};
        process_.emplace("registry", serve, dir);
        const HttpClient client("http://" + address());
        wait_until(deadline_after(std::chrono::seconds(30)),
                   [&] { return client.get("/v2/").status == 401; },
                   "the registry to ask for credentials", {dir / "registry.stderr"});
    }

    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  private:
    uint16_t port_;
    std::optional<Process> process_;
};

/// `docker` with a login of its own (DOCKER_CONFIG in `dir`), not the machine's.
ProcessOptions docker(const std::filesystem::path& dir, std::vector<std::string> arguments) {
    ProcessOptions options;
    options.argv = {"docker"};
    options.argv.insert(options.argv.end(), arguments.begin(), arguments.end());
    options.env = {{"DOCKER_CONFIG", (dir / "docker-config").string()}};
    return options;
}

}  // namespace

TEST_CASE(
    "e2e: an image of a private registry is pulled with `auth` whose password is a secret, a "
    "wrong one is a clear job error, and neither shows",
    "[docker]") {
    require_docker();
    Cluster cluster;
    const std::filesystem::path dir = cluster.dir().path() / "registry";
    PrivateRegistry registry(dir);

    // Two tags, one per job, so the job that must fail cannot find the other's pull.
    const std::string good = registry.address() + "/private/busybox:good";
    const std::string bad = registry.address() + "/private/busybox:bad";
    write_file(dir / "password", kPassword);
    ProcessOptions login =
        docker(dir, {"login", registry.address(), "-u", kUser, "--password-stdin"});
    login.stdin_file = dir / "password";
    must_run(login);
    for (const std::string& image : {good, bad}) {
        must_run(docker(dir, {"tag", kTestImage, image}));
        must_run(docker(dir, {"push", image}));
        must_run(docker(dir, {"rmi", image}));  // the job must pull it
    }

    cluster.start_runner("runner-1");
    REQUIRE(cluster
                .fmg_with_input({"secret", "set", "--repo", "octo/demo", "REGISTRY_PASSWORD"},
                                kPassword)
                .ok());
    REQUIRE(cluster
                .fmg_with_input({"secret", "set", "--repo", "octo/demo", "OLD_PASSWORD"},
                                "an-outdated-password")
                .ok());
    GitRepo repo = cluster.make_repo();
    repo.write_config(
        "version: 2.1\njobs:\n"
        "  good:\n    docker:\n      - image: " +
        good + "\n        auth:\n          username: " + kUser +
        "\n          password: $REGISTRY_PASSWORD\n"
        "    steps:\n      - run: echo pulled-and-ran\n"
        "  bad:\n    docker:\n      - image: " +
        bad + "\n        auth:\n          username: " + kUser +
        "\n          password: ${OLD_PASSWORD}\n"
        "    steps:\n      - run: echo should-not-run\n"
        "workflows:\n  w:\n    jobs: [good, bad]\n");
    const int64_t id = cluster.push(repo, repo.commit("Private images"));
    const auto pipeline = cluster.wait_for_final(id);
    const std::string api = to_json(pipeline);
    INFO("pipeline: " << api);

    const std::string good_log = cluster.job_log(id, "good");
    INFO("good's log:\n" << good_log);
    cluster.wait_for_job_status(id, "good", "success");
    CHECK_THAT(good_log, Catch::Contains("Pulling " + good + " (with the job's `auth`)..."));
    CHECK_THAT(good_log, Catch::Contains("pulled-and-ran"));

    const auto attempts = job_attempts(pipeline, "bad");
    REQUIRE(attempts.size() == 1);
    CHECK(string_field(attempts[0], "status") == "error");
    const std::string pull_error = optional_string(attempts[0], "error").value_or("");
    CHECK_THAT(pull_error,
               Catch::StartsWith("pull " + bad + ": ") && Catch::Contains("unauthorized"));
    const std::string bad_log = cluster.job_log(id, "bad");
    INFO("bad's log:\n" << bad_log);
    CHECK(bad_log.find("should-not-run") == std::string::npos);

    for (const std::string& text : {api, pull_error, good_log, bad_log}) {
        CHECK_THAT(text, !Catch::Contains(kPassword) && !Catch::Contains("an-outdated-password"));
    }
    for (const std::string& image : {good, bad}) {
        ProcessOptions remove = docker(dir, {"rmi", "-f", image});
        (void)run_command(remove, std::chrono::seconds(60));  // pulled or not
    }
}
