// The keys of a `docker` image, through the real binaries and Docker (docs/executors.md,
// "What the image keys do"): a service with its own `name`, `environment`, `entrypoint`,
// `command` and `user` that the primary's steps reach and observe; the primary's `user`
// running the steps; and an image pulled with `auth` that fails as a clear job error without
// the password in the error, the log or the API.

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/docker.h"
#include "tests/support/held_job.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

// The service serves a page it writes from its own variable and user id, under its `name`.
const std::string kServiceConfig = R"yaml(version: 2.1
jobs:
  build:
    docker:
      - image: fmg/busybox:latest
        user: "1000:1000"
      - image: fmg/busybox:latest
        name: web-service
        user: "1000"
        environment:
          GREETING: hello-from-the-service
        entrypoint: [/bin/sh, -c]
        command:
          - mkdir -p /tmp/www && echo "$GREETING uid=$(id -u)" > /tmp/www/index.html &&
            exec httpd -f -p 8081 -h /tmp/www
    steps:
      - run:
          name: Ask the service by its name
          command: |
            echo "steps run as uid=$(id -u)"
            for i in $(seq 1 100); do
              if page=$(wget -qO- http://web-service:8081/); then echo "page: $page"; exit 0; fi
              sleep 0.1
            done
            echo "the service never answered" >&2; exit 1
)yaml";

const std::string kPassword = "s3cret-registry-pw";

// Nothing listens on port 9: the pull fails, after the credentials were sent.
const std::string kAuthConfig = R"(version: 2.1
jobs:
  private:
    docker:
      - image: 127.0.0.1:9/fmg/private-image:1
        auth:
          username: bot
          password: $REGISTRY_PASSWORD
    environment:
      REGISTRY_PASSWORD: )" + kPassword +
                                R"(
    steps:
      - run: echo never
  unset:
    docker:
      - image: fmg/busybox:latest
      - image: 127.0.0.1:9/fmg/private-image:1
        auth:
          username: bot
          password: ${NOT_SET_ANYWHERE}
    steps:
      - run: echo never
workflows:
  ci:
    jobs: [private, unset]
)";

}  // namespace

TEST_CASE("e2e: a service's name, environment, entrypoint, command and user reach its container") {
    require_docker();
    Cluster cluster;
    cluster.start_runner("runner-1");
    GitRepo repo = cluster.make_repo();
    repo.write_config(kServiceConfig);
    const int64_t id = cluster.push(repo, repo.commit("A service with every key"));

    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    const std::string log = job_log(cluster, id, "build");
    INFO("log: " << log);
    CHECK(string_field(pipeline, "status") == "success");
    CHECK_THAT(log, Catch::Contains("steps run as uid=1000"));
    CHECK_THAT(log, Catch::Contains("page: hello-from-the-service uid=1000"));
}

TEST_CASE("e2e: a pull with `auth` fails as a clear job error, and the password shows nowhere") {
    require_docker();
    Cluster cluster;
    cluster.start_runner("runner-1");
    GitRepo repo = cluster.make_repo();
    repo.write_config(kAuthConfig);
    const int64_t id = cluster.push(repo, repo.commit("Private images"));

    const auto pipeline = cluster.wait_for_final(id);
    const std::string api = to_json(pipeline);
    INFO("pipeline: " << api);
    CHECK(string_field(pipeline, "status") != "success");

    const auto privates = job_attempts(pipeline, "private");
    REQUIRE(privates.size() == 1);
    CHECK(string_field(privates[0], "status") == "error");
    const std::string pull_error = optional_string(privates[0], "error").value_or("");
    CHECK_THAT(pull_error, Catch::StartsWith("pull 127.0.0.1:9/fmg/private-image:1: "));
    const std::string private_log = job_log(cluster, id, "private");
    INFO("log: " << private_log);
    CHECK_THAT(private_log, Catch::Contains("Pulling 127.0.0.1:9/fmg/private-image:1 (with the "
                                            "job's `auth`)..."));
    CHECK_THAT(private_log, !Catch::Contains("never"));

    const auto unset = job_attempts(pipeline, "unset");
    REQUIRE(unset.size() == 1);
    CHECK(string_field(unset[0], "status") == "error");
    CHECK(optional_string(unset[0], "error") ==
          "image 127.0.0.1:9/fmg/private-image:1: `auth.password` references "
          "$NOT_SET_ANYWHERE, which is not set in the job's environment");

    for (const std::string& text : {api, pull_error, private_log, job_log(cluster, id, "unset")}) {
        CHECK_THAT(text, !Catch::Contains(kPassword));
    }
}
