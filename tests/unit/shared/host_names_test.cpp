// Runner host names and labels (shared/host_names.h): DNS host names, nothing that could
// break out of a YAML value or a listing line.

#include "shared/host_names.h"

#include <catch2/catch.hpp>

using namespace fmg;

TEST_CASE("host names are DNS host names") {
    for (const char* good :
         {"build-01", "localhost", "ci.example.com", "a", "10.0.0.1", "Runner-A.Example.COM"}) {
        INFO(good);
        CHECK_FALSE(host_name_problem(good));
    }
    for (const char* bad : {"", "a\nsecret_key: x", "a b", "a/b", "a_b", "-a", "a-", "a..b", ".a",
                            "a.", "a:1", "a'b", "a#b", "ünï"}) {
        INFO(bad);
        CHECK(host_name_problem(bad));
    }
    CHECK_FALSE(host_name_problem(std::string(63, 'a') + "." + std::string(63, 'b')));
    CHECK(host_name_problem(std::string(64, 'a')));
    std::string long_name;
    while (long_name.size() < kMaxHostNameLength) long_name += "abcdefghi.";
    CHECK(host_name_problem(long_name + "x"));
}

TEST_CASE("labels hold host-name characters, and messages never echo control characters") {
    for (const char* good : {"docker", "arm64", "gpu.large", "x-1", "x86_64", "myorg/my-runner"}) {
        INFO(good);
        CHECK_FALSE(runner_label_problem(good));
    }
    for (const char* bad : {"", "a\nsecret_key: x", "a: b", "[x]", "a,b", "a b", "{x}", "-x", "x-",
                            ".x", "/x", "x/"}) {
        INFO(bad);
        CHECK(runner_label_problem(bad));
    }
    CHECK(runner_label_problem(std::string(64, 'l')));
    auto message = runner_label_problem("a\nsecret_key: x");
    REQUIRE(message);
    CHECK(message->find('\n') == std::string::npos);
}
