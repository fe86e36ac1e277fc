#include "shared/crypto.h"

#include <catch2/catch.hpp>
#include <cctype>

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

namespace {

// GitHub's "Validating webhook deliveries" documentation gives this secret, payload and
// X-Hub-Signature-256 as the values an implementation must reproduce.
const std::string kGitHubSecret = "It's a Secret to Everybody";
const std::string kGitHubPayload = "Hello, World!";
const std::string kGitHubTagHex =
    "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

std::string hex_of(const Sha256Digest& tag) {
    return to_hex(std::string_view(reinterpret_cast<const char*>(tag.data()), tag.size()));
}

}  // namespace

TEST_CASE("incremental HMAC-SHA256 gives GitHub's documented tag whatever the piece size") {
    for (size_t piece = 1; piece <= kGitHubPayload.size(); ++piece) {
        HmacSha256 mac(kGitHubSecret);
        for (size_t at = 0; at < kGitHubPayload.size(); at += piece) {
            mac.update(std::string_view(kGitHubPayload).substr(at, piece));
        }
        INFO("pieces of " << piece << " bytes");
        CHECK(hex_of(mac.finish()) == kGitHubTagHex);
    }
    // Empty pieces change nothing.
    HmacSha256 mac(kGitHubSecret);
    mac.update("");
    mac.update(kGitHubPayload);
    mac.update("");
    CHECK(hex_of(mac.finish()) == kGitHubTagHex);
}

TEST_CASE("incremental HMAC-SHA256 matches the one-shot MAC on a large message split unevenly") {
    std::string message;
    for (int i = 0; i < 200000; ++i) message.push_back(static_cast<char>(i * 31 % 251));
    const std::string whole = hmac_sha256_hex("key", message);
    HmacSha256 mac("key");
    size_t at = 0;
    for (size_t piece = 1; at < message.size(); piece = piece * 3 + 7) {
        mac.update(std::string_view(message).substr(at, piece));
        at += piece;
    }
    CHECK(hex_of(mac.finish()) == whole);
    CHECK(hmac_sha256_hex("", "") ==
          "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST_CASE("a finished HMAC takes no more pieces") {
    HmacSha256 mac("key");
    mac.update("a");
    (void)mac.finish();
    CHECK_THROWS(mac.update("b"));
    CHECK_THROWS(mac.finish());
}

TEST_CASE("parse_github_signature takes sha256= and 64 hex digits, nothing else") {
    const auto tag = parse_github_signature("sha256=" + kGitHubTagHex);
    REQUIRE(tag);
    CHECK(hex_of(*tag) == kGitHubTagHex);
    std::string upper = kGitHubTagHex;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    CHECK(parse_github_signature("sha256=" + upper) == tag);

    CHECK_FALSE(parse_github_signature(""));
    CHECK_FALSE(parse_github_signature(kGitHubTagHex));                        // no prefix
    CHECK_FALSE(parse_github_signature("sha1=" + kGitHubTagHex));              // other algorithm
    CHECK_FALSE(parse_github_signature("SHA256=" + kGitHubTagHex));            // prefix case
    CHECK_FALSE(parse_github_signature("sha256=" + kGitHubTagHex + "0"));      // too long
    CHECK_FALSE(parse_github_signature("sha256=" + kGitHubTagHex.substr(1)));  // too short
    CHECK_FALSE(parse_github_signature(" sha256=" + kGitHubTagHex.substr(1)));
    std::string bad = kGitHubTagHex;
    bad[10] = 'g';
    CHECK_FALSE(parse_github_signature("sha256=" + bad));
}

TEST_CASE("digests_equal compares every byte") {
    const auto tag = *parse_github_signature("sha256=" + kGitHubTagHex);
    Sha256Digest other = tag;
    CHECK(digests_equal(tag, other));
    other[31] ^= 1;
    CHECK_FALSE(digests_equal(tag, other));
}

TEST_CASE("SHA-256 fed in pieces equals the digest of the whole, as FIPS 180-2 gives it") {
    // FIPS 180-2, appendix B.2: the two-block message.
    const std::string message = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    const std::string expected = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
    CHECK(fmg::crypto::sha256_hex(message) == expected);
    for (size_t split = 0; split <= message.size(); split += 7) {
        fmg::crypto::Sha256 hash;
        hash.update(std::string_view(message).substr(0, split));
        hash.update(std::string_view(message).substr(split));
        CHECK(hash.finish_hex() == expected);
    }
    fmg::crypto::Sha256 empty;
    CHECK(empty.finish_hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK_THROWS(empty.update("more"));
}

TEST_CASE("base64 decodes what it encodes, padded or not, and refuses what no encoding is") {
    for (const std::string& bytes :
         {std::string(), std::string("f"), std::string("fo"), std::string("foo"),
          std::string("foob"), std::string("\0\xff\x10 binary", 10)}) {
        const std::string text = base64_encode(bytes);
        CHECK(base64_decode(text) == bytes);
        std::string unpadded = text;
        while (!unpadded.empty() && unpadded.back() == '=') unpadded.pop_back();
        CHECK(base64_decode(unpadded) == bytes);
    }
    CHECK_FALSE(base64_decode("Zm9v!"));
    CHECK_FALSE(base64_decode("Z"));
    CHECK_FALSE(base64_decode("Zg==Zg=="));
    CHECK_FALSE(base64_decode("Z==="));
}

TEST_CASE("md5_bytes is RFC 1321's digest") {
    CHECK(to_hex(md5_bytes("")) == "d41d8cd98f00b204e9800998ecf8427e");
    CHECK(to_hex(md5_bytes("abc")) == "900150983cd24fb0d6963f7d28e17f72");
}
