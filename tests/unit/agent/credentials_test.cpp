// The credentials file `fmg configure add-runner` prints, as the agent reads it.

#include "agent/setup/credentials.h"

#include <sys/stat.h>
#include <unistd.h>

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

// Writes the file as `install -m 600` would.
std::filesystem::path write(const TempWorkspace& dir, const std::string& text,
                            std::filesystem::perms mode = std::filesystem::perms::owner_read |
                                                          std::filesystem::perms::owner_write) {
    auto path = dir.path() / "agent.cred";
    {
        std::ofstream out(path, std::ios::binary);
        out << text;
    }
    std::filesystem::permissions(path, mode);
    return path;
}

struct stat file_status(uid_t owner, mode_t mode) {
    struct stat status {};
    status.st_mode = S_IFREG | mode;
    status.st_uid = owner;
    return status;
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

TEST_CASE("a credentials file others can read is refused, with the chmod that fixes it") {
    TempWorkspace dir;
    auto path = write(dir, credentials_text(),
                      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                          std::filesystem::perms::group_read | std::filesystem::perms::others_read);
    auto loaded = load_credentials(path);
    REQUIRE_FALSE(loaded.ok());
    CHECK_THAT(loaded.error().message, Catch::Contains("mode 0644"));
    CHECK_THAT(loaded.error().message, Catch::Contains("chmod 600 " + path.string()));

    std::filesystem::permissions(
        path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    CHECK(load_credentials(path).ok());
}

TEST_CASE("credentials file modes and owners the agent accepts") {
    const uid_t agent = 998;
    CHECK(check_credentials_access("/c", file_status(agent, 0600), agent));
    CHECK(check_credentials_access("/c", file_status(agent, 0400), agent));
    CHECK(check_credentials_access("/c", file_status(0, 0600), agent));  // root's, 0600
    CHECK(check_credentials_access("/c", file_status(0, 0400), agent));
    CHECK(check_credentials_access("/c", file_status(0, 0600), 0));  // a root agent
    CHECK_FALSE(check_credentials_access("/c", file_status(agent, 0640), agent));
    CHECK_FALSE(check_credentials_access("/c", file_status(agent, 0604), agent));
    CHECK_FALSE(check_credentials_access("/c", file_status(agent, 0620), agent));
    CHECK_FALSE(check_credentials_access("/c", file_status(0, 0700), agent));
    auto other = check_credentials_access("/c", file_status(1234, 0600), agent);
    REQUIRE_FALSE(other);
    CHECK_THAT(other.error().message, Catch::Contains("owned by uid 1234"));
    struct stat directory = file_status(agent, 0600);
    directory.st_mode = S_IFDIR | 0700;
    CHECK_FALSE(check_credentials_access("/c", directory, agent));
}
