#include "shared/crypto.h"

#include <catch2/catch.hpp>

using namespace fmg::crypto;

TEST_CASE("HMAC-SHA256 matches RFC 4231 test case 2") {
    CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("GitHub's documented example signature is accepted, altered ones are not") {
    // From GitHub's "Validating webhook deliveries" documentation.
    const std::string secret = "It's a Secret to Everybody";
    const std::string body = "Hello, World!";
    const std::string header =
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    CHECK(github_signature_valid(secret, body, header));
    CHECK_FALSE(github_signature_valid(secret, body + " ", header));
    CHECK_FALSE(github_signature_valid("other secret", body, header));
    CHECK_FALSE(github_signature_valid(secret, body, header.substr(7)));  // no "sha256="
    CHECK_FALSE(github_signature_valid("", body, header));
    CHECK_FALSE(github_signature_valid(secret, body, "sha1=abc"));
}

TEST_CASE("constant_time_equals compares contents and lengths") {
    CHECK(constant_time_equals("abc", "abc"));
    CHECK_FALSE(constant_time_equals("abc", "abd"));
    CHECK_FALSE(constant_time_equals("abc", "abcd"));
    CHECK(constant_time_equals("", ""));
}

TEST_CASE("random_hex gives distinct tokens of the asked length") {
    auto a = random_hex(16);
    auto b = random_hex(16);
    CHECK(a.size() == 32);
    CHECK(a != b);
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
