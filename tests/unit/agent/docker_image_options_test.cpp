// What the docker executor makes of a `docker` image's keys: registry credentials resolved in
// the job's environment only, the X-Registry-Auth header, names as hosts, the primary's
// process. No Docker engine needed.

#include "agent/executor/docker_image_options.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <sstream>

#include "agent/docker/registry_auth.h"

using namespace fmg;
using namespace fmg::agent;

namespace {

std::string base64url_decode(const std::string& text) {
    std::istringstream in(text);
    Poco::Base64Decoder decoder(in, Poco::BASE64_URL_ENCODING);
    std::string out;
    char c;
    while (decoder.get(c)) out += c;
    return out;
}

}  // namespace

TEST_CASE("X-Registry-Auth is base64url JSON of the login and the image's registry") {
    docker::RegistryCredentials credentials{"bot", "p?ss>w/rd~~"};
    const std::string header = docker::registry_auth_header(credentials, "ghcr.io/octo/app:1");
    CHECK(header.find_first_of("+/\n") == std::string::npos);  // URL alphabet, one line
    CHECK(header.size() % 4 == 0);                             // padded
    CHECK(base64url_decode(header) ==
          R"({"password":"p?ss>w/rd~~","serveraddress":"ghcr.io","username":"bot"})");

    CHECK(docker::registry_host("postgres:16") == "docker.io");
    CHECK(docker::registry_host("octo/app") == "docker.io");
    CHECK(docker::registry_host("localhost/app") == "localhost");
    CHECK(docker::registry_host("127.0.0.1:5000/team/app@sha256:ab") == "127.0.0.1:5000");
}

TEST_CASE("registry credentials resolve in the job's environment, never the agent's") {
    ::setenv("FMG_TEST_AGENT_SECRET", "agent-only", 1);
    const Environment job{{"REGISTRY_PASSWORD", "from-the-job"}, {"USER_NAME", "bot"}};
    ContainerOptions options;
    auto none = resolve_credentials("img", options, job);
    REQUIRE(none);
    CHECK_FALSE(none->has_value());

    options.auth_username = "${USER_NAME}";
    options.auth_password = "$REGISTRY_PASSWORD";
    auto resolved = resolve_credentials("img", options, job);
    REQUIRE(resolved);
    REQUIRE(resolved->has_value());
    CHECK((*resolved)->username == "bot");
    CHECK((*resolved)->password == "from-the-job");

    options.auth_password = "$FMG_TEST_AGENT_SECRET";
    auto agents = resolve_credentials("registry.example/app:1", options, job);
    REQUIRE_FALSE(agents);
    CHECK(agents.error().message ==
          "image registry.example/app:1: `auth.password` references $FMG_TEST_AGENT_SECRET, "
          "which is not set in the job's environment");
    CHECK(agents.error().message.find("agent-only") == std::string::npos);
    ::unsetenv("FMG_TEST_AGENT_SECRET");

    options.auth_password = "literal";
    options.auth_username = "$EMPTY";
    auto empty = resolve_credentials("img", options, Environment{{"EMPTY", ""}});
    REQUIRE_FALSE(empty);
    CHECK(empty.error().message == "image img: `auth` resolves to an empty username");
}

TEST_CASE("the password never appears in what Docker says about a pull") {
    docker::RegistryCredentials credentials{"bot", "hunter2"};
    CHECK(hide_credentials("denied for bot:hunter2 (hunter2)", credentials) ==
          "denied for bot:*** (***)");
    CHECK(hide_credentials("nothing secret", std::nullopt) == "nothing secret");
}

TEST_CASE("names become hosts of the shared loopback, and are checked") {
    JobSetup job;
    job.image = "app";
    job.services = {"postgres:16", "redis:7"};
    job.primary_options.name = "main";
    job.service_options = {ContainerOptions{}, ContainerOptions{}};
    job.service_options[0].name = "db";
    CHECK(service_name_hosts(job) == std::vector<std::string>{"main:127.0.0.1", "db:127.0.0.1"});
    CHECK(check_container_names(job));
    job.service_options[1].name = "bad:name";
    auto refused = check_container_names(job);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message == "image redis:7: its name is not a host name");
}

TEST_CASE("the primary runs its entrypoint and command only when it has a command") {
    docker::ImageInfo image;
    image.entrypoint = {"/entrypoint.sh"};
    ContainerOptions options;
    options.entrypoint = {"/bin/sh", "-c"};
    CHECK(primary_process(options, image).empty());  // CircleCI ignores them without command
    options.command = {"sleep 60"};
    CHECK(primary_process(options, image) == std::vector<std::string>{"/bin/sh", "-c", "sleep 60"});
    options.entrypoint.clear();
    CHECK(primary_process(options, image) ==
          std::vector<std::string>{"/entrypoint.sh", "sleep 60"});
    options.entrypoint = {""};
    options.command = {"redis-server", "--port", "7000"};
    CHECK(primary_process(options, image) ==
          std::vector<std::string>{"redis-server", "--port", "7000"});
}
