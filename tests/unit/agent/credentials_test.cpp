// The credentials file `fmg configure add-runner` prints, as the agent reads it.

#include "agent/setup/credentials.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "tests/unit/agent/executor_test_support.h"

using namespace fmg::agent;
using fmg::agent::testing::TempWorkspace;

namespace {

const std::string kServerKey(64, 'a');
const std::string kPublicKey = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kSecretKey = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

/// The file as the coordinator writes it (coordinator/http/runners_api.cpp).
std::string credentials_text(const std::string& public_key = kPublicKey) {
    return "# fmg agent credentials for runner 3 (build-01), issued 2026-11-22T12:00:00.123Z.\n"
           "# Install on that host as /etc/fmg/agent.cred, mode 0600: whoever holds it can run "
           "jobs as this runner.\n"
           "runner_id: 3\n"
           "host: build-01\n"
           "coordinator: tcp://ci.example.com:5555\n"
           "server_public_key: " +
           kServerKey + "\npublic_key: " + public_key + "\nsecret_key: " + kSecretKey + "\n";
}

std::filesystem::path write(const TempWorkspace& dir, const std::string& text) {
    auto path = dir.path() / "agent.cred";
    std::ofstream out(path, std::ios::binary);
    out << text;
    return path;
}

}  // namespace

TEST_CASE("a credentials file from add-runner is read whole") {
    TempWorkspace dir;
    auto loaded = load_credentials(write(dir, credentials_text()));
    REQUIRE(loaded.ok());
    CHECK(loaded->runner_id == 3);
    CHECK(loaded->host == "build-01");
    CHECK(loaded->coordinator == "tcp://ci.example.com:5555");
    CHECK(loaded->server_public_key == kServerKey);
    CHECK(loaded->public_key == kPublicKey);
    CHECK(loaded->secret_key == kSecretKey);
}

TEST_CASE("a missing credentials file says how to make one") {
    TempWorkspace dir;
    auto path = dir.path() / "agent.cred";
    auto loaded = load_credentials(path);
    REQUIRE_FALSE(loaded.ok());
    CHECK_THAT(loaded.error().message, Catch::Contains(path.string()));
    CHECK_THAT(loaded.error().message, Catch::Contains("add-runner"));
}

TEST_CASE("a bad key is refused, naming the key") {
    TempWorkspace dir;
    SECTION("too short") {
        auto loaded = load_credentials(write(dir, credentials_text("0123abcd")));
        REQUIRE_FALSE(loaded.ok());
        CHECK_THAT(loaded.error().message, Catch::Contains("'public_key'"));
    }
    SECTION("not hex") {
        auto loaded = load_credentials(write(dir, credentials_text(std::string(64, 'z'))));
        REQUIRE_FALSE(loaded.ok());
        CHECK_THAT(loaded.error().message, Catch::Contains("'public_key'"));
    }
    SECTION("missing") {
        std::string text = credentials_text();
        text.erase(text.find("secret_key:"));
        auto loaded = load_credentials(write(dir, text));
        REQUIRE_FALSE(loaded.ok());
        CHECK_THAT(loaded.error().message, Catch::Contains("secret_key"));
    }
}

TEST_CASE("a file that is not a credentials file is refused with its name") {
    TempWorkspace dir;
    SECTION("broken YAML") {
        auto path = write(dir, "runner_id: [3\nhost: build-01\n");
        auto loaded = load_credentials(path);
        REQUIRE_FALSE(loaded.ok());
        CHECK_THAT(loaded.error().message, Catch::Contains(path.string()));
    }
    SECTION("a list") {
        auto path = write(dir, "- a\n- b\n");
        auto loaded = load_credentials(path);
        REQUIRE_FALSE(loaded.ok());
        CHECK_THAT(loaded.error().message, Catch::Contains(path.string()));
    }
    SECTION("a runner id that is not a number") {
        std::string text = credentials_text();
        text.replace(text.find("runner_id: 3"), 12, "runner_id: three");
        auto path = write(dir, text);
        auto loaded = load_credentials(path);
        REQUIRE_FALSE(loaded.ok());
        CHECK_THAT(loaded.error().message, Catch::Contains("runner_id"));
    }
}
