// The keys of a `docker` image: what each reads to, and every refusal with its position.

#include <catch2/catch.hpp>
#include <string>

#include "shared/pipeline/images.h"
#include "shared/variable_reference.h"
#include "tests/unit/shared/pipeline_test_helpers.h"

using namespace fmg::pipeline;
using namespace fmg::pipeline::testing;

namespace {

// A config whose one job has `docker` items `images` (YAML lines under `docker:`).
std::string with_images(const std::string& images) {
    return "version: 2\njobs:\n  build:\n    docker:\n" + images + "    steps: [checkout]\n";
}

void check_error(const std::string& yaml, int line, int column, std::string_view message_part) {
    const ParseError error = parse_error(yaml);
    INFO(error.to_string());
    CHECK(error.line == line);
    CHECK(error.column == column);
    CHECK_THAT(error.message, Catch::Contains(std::string(message_part)));
}

}  // namespace

TEST_CASE("every key of a docker image is read") {
    const Config config = parse_ok(with_images(R"(      - image: cimg/base:2024.01
        name: main
        user: circleci
        entrypoint: [/bin/sh, -c]
        command: ["sleep 1000"]
        environment: {PRIMARY: "1"}
        auth: {username: bot, password: $REGISTRY_PASSWORD}
      - image: postgres:16
        name: db
        entrypoint: docker-entrypoint.sh
        command: postgres -c 'shared_buffers=256MB' -c "fsync=off"
        user: "999:999"
        environment:
          - POSTGRES_PASSWORD=secret
          - POSTGRES_DB=test
        auth:
          username: ${REGISTRY_USER}
          password: literal-password
        ports: ["5432:5432"]
      - image: redis:7
        environment: [{A: "1"}, {B: two}]
)"));
    const Job& job = only_job(config);
    CHECK(job.image.image == "cimg/base:2024.01");
    CHECK(job.image.name == "main");
    CHECK(job.image.user == "circleci");
    CHECK(job.image.entrypoint == std::vector<std::string>{"/bin/sh", "-c"});
    CHECK(job.image.command == std::vector<std::string>{"sleep 1000"});
    CHECK(job.image.auth == RegistryAuth{"bot", "$REGISTRY_PASSWORD"});
    // The primary's environment is the steps': it joins the job's.
    CHECK(job.image.environment.empty());
    CHECK(job.environment.at("PRIMARY") == "1");

    REQUIRE(job.services.size() == 2);
    const ImageSpec& db = job.services[0];
    CHECK(db.image == "postgres:16");
    CHECK(db.name == "db");
    CHECK(db.entrypoint == std::vector<std::string>{"docker-entrypoint.sh"});
    CHECK(db.command ==
          std::vector<std::string>{"postgres", "-c", "shared_buffers=256MB", "-c", "fsync=off"});
    CHECK(db.user == "999:999");
    CHECK(db.environment == Environment{{"POSTGRES_DB", "test"}, {"POSTGRES_PASSWORD", "secret"}});
    CHECK(db.auth == RegistryAuth{"${REGISTRY_USER}", "literal-password"});
    CHECK(job.services[1].environment == Environment{{"A", "1"}, {"B", "two"}});
    // A service's variables are its own, not the steps'.
    CHECK(job.environment.count("POSTGRES_PASSWORD") == 0);
}

TEST_CASE("a string entrypoint or command is split into words as a shell would") {
    CHECK(detail::split_words("a b\tc\n") == std::vector<std::string>{"a", "b", "c"});
    CHECK(detail::split_words("sh -c 'echo \"hi there\"; exit 3'") ==
          std::vector<std::string>{"sh", "-c", "echo \"hi there\"; exit 3"});
    CHECK(detail::split_words(R"(say "a \"quoted\" \\ word" it\ too '')") ==
          std::vector<std::string>{"say", "a \"quoted\" \\ word", "it too", ""});
    CHECK(detail::split_words("$HOME ~ *") == std::vector<std::string>{"$HOME", "~", "*"});
    CHECK(detail::split_words("   ")->empty());
    CHECK_FALSE(detail::split_words("'open"));
    CHECK_FALSE(detail::split_words("\"open"));
    CHECK_FALSE(detail::split_words("trailing\\"));
}

TEST_CASE("docker image keys are refused where they cannot work, at the value") {
    check_error(with_images("      - image: a\n        aws_auth: {aws_access_key_id: $K}\n"), 6, 9,
                "`aws_auth` is not supported by fmg: the agent cannot obtain ECR credentials "
                "itself");
    check_error(with_images("      - image: a\n        aws_auth: {}\n"), 6, 9,
                "Write `auth` instead, with `username: AWS`");
    check_error(with_images("      - image: a\n        auth: {username: u}\n"), 6, 9,
                "`auth` needs both `username` and `password`");
    check_error(with_images("      - image: a\n        auth: {password: p}\n"), 6, 9,
                "`auth` needs both `username` and `password`");
    check_error(with_images("      - image: a\n        auth: {username: u, password: p, "
                            "email: e}\n"),
                6, 42, "unknown key `email` in `auth` (expected username and password)");
    check_error(with_images("      - image: a\n        auth: {username: u, password: $1X}\n"), 6,
                39, "`auth.password` starts with `$` but is not one variable reference");
    check_error(with_images("      - image: a\n        auth:\n          username: ${U\n"
                            "          password: p\n"),
                7, 21, "`auth.username` starts with `$`");
    check_error(with_images("      - image: a\n        auth: {username: \"\", password: p}\n"), 6,
                26, "`auth.username` is empty");
    check_error(with_images("      - image: a\n        auth: bot\n"), 6, 15,
                "`auth` must be a map");
    check_error(with_images("      - image: a\n        name: \"my db\"\n"), 6, 15,
                "`name` `my db` is not a host name");
    check_error(with_images("      - image: a\n        name: -db\n"), 6, 15, "is not a host name");
    check_error(with_images("      - image: a\n        entrypoint: []\n"), 6, 21,
                "`entrypoint` is empty");
    check_error(with_images("      - image: a\n        command: \"  \"\n"), 6, 18,
                "`command` is empty");
    check_error(with_images("      - image: a\n        command: \"echo 'open\"\n"), 6, 18,
                "`command` has an unterminated quote");
    check_error(with_images("      - image: a\n        command: [a, [b]]\n"), 6, 22,
                "each item of `command` must be a string");
    check_error(with_images("      - image: a\n        user: \"\"\n"), 6, 15, "`user` is empty");
    check_error(with_images("      - image: a\n        user: [a]\n"), 6, 15,
                "`user` must be a string");
    check_error(with_images("      - image: a\n        volumes: [x]\n"), 6, 9,
                "unknown key `volumes` in a `docker` image (expected image, name, entrypoint, "
                "command, user, environment, auth or aws_auth)");
    check_error(with_images("      - image: a\n      - image: b\n        environment: x\n"), 7, 22,
                "`environment` must be a map");
}

TEST_CASE("docker image values stay within the agent protocol's limits") {
    const std::string long_name(1025, 'u');
    check_error(with_images("      - image: a\n        user: " + long_name + "\n"), 6, 15,
                "`user` is 1025 bytes; the agent protocol allows at most 1024");
    check_error(
        with_images("      - image: a\n        auth: {username: " + long_name + ", password: p}\n"),
        6, 26, "`auth.username` is 1025 bytes");
    std::string many = "      - image: a\n        command:\n";
    for (int i = 0; i <= 1024; ++i) many += "          - x\n";
    check_error(with_images(many), 6, 9,
                "`command` has 1025 entries; the agent protocol allows "
                "at most 1024 (kMaxListItems)");
    std::string many_words = "      - image: a\n        command: \"";
    for (int i = 0; i <= 1024; ++i) many_words += "x ";
    check_error(with_images(many_words + "\"\n"), 6, 18, "`command` has 1025 entries");
}

TEST_CASE("a variable reference is $NAME or ${NAME}, and resolves only in the given map") {
    CHECK(fmg::referenced_variable("$A_1") == "A_1");
    CHECK(fmg::referenced_variable("${B}") == "B");
    CHECK_FALSE(fmg::referenced_variable("literal"));
    CHECK_FALSE(fmg::referenced_variable("$"));
    CHECK_FALSE(fmg::referenced_variable("${}"));
    CHECK_FALSE(fmg::referenced_variable("$A$B"));
    CHECK_FALSE(fmg::referenced_variable("${A"));
    CHECK_FALSE(fmg::referenced_variable("$1A"));

    const std::map<std::string, std::string> environment{{"TOKEN", "s3cret"}};
    CHECK(*fmg::resolve_variable_reference("$TOKEN", environment, "x") == "s3cret");
    CHECK(*fmg::resolve_variable_reference("${TOKEN}", environment, "x") == "s3cret");
    CHECK(*fmg::resolve_variable_reference("plain", environment, "x") == "plain");
    // HOME is in every process environment, the agent's too: never consulted.
    auto unset = fmg::resolve_variable_reference("$HOME", environment, "`auth.password`");
    REQUIRE_FALSE(unset);
    CHECK(unset.error().message ==
          "`auth.password` references $HOME, which is not set in the job's environment");
    auto malformed = fmg::resolve_variable_reference("$TO-KEN", environment, "`auth.password`");
    REQUIRE_FALSE(malformed);
    CHECK(malformed.error().message.find("TO-KEN") == std::string::npos);
}
