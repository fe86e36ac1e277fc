// SecretMasker: a job's secrets hidden in its steps' output before it reaches the log, in the
// forms steps print them (value, base64, percent-encoded, line by line), whatever pieces the
// output arrives in. The encoded expectations are what `base64`, `openssl base64` and Python's
// urllib print for the same values.

#include "agent/job/secret_masker.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "shared/crypto.h"

using namespace fmg;
using namespace fmg::agent;

namespace {

/// Everything the masker returns for `pieces` fed in order, then flushed.
std::string masked_in_pieces(SecretMasker& masker, const std::vector<std::string>& pieces) {
    std::string out;
    for (const auto& piece : pieces) {
        out += masker.feed(piece);
        CHECK(masker.held() < std::max<size_t>(masker.longest_form(), 1));
    }
    return out + masker.flush();
}

std::string masked(const std::vector<std::string>& secrets, const std::string& text) {
    SecretMasker masker(secrets);
    return masked_in_pieces(masker, {text});
}

std::string masked_byte_by_byte(const std::vector<std::string>& secrets, const std::string& text) {
    SecretMasker masker(secrets);
    std::vector<std::string> pieces;
    for (const char c : text) pieces.emplace_back(1, c);
    return masked_in_pieces(masker, pieces);
}

/// The masking rule stated plainly: every byte inside an occurrence of a form is covered, and
/// each run of covered bytes becomes one kMaskText.
std::string reference_masked(const std::vector<std::string>& forms, const std::string& text) {
    std::vector<bool> covered(text.size(), false);
    for (const auto& form : forms) {
        for (size_t at = text.find(form); at != std::string::npos; at = text.find(form, at + 1)) {
            std::fill(covered.begin() + static_cast<std::ptrdiff_t>(at),
                      covered.begin() + static_cast<std::ptrdiff_t>(at + form.size()), true);
        }
    }
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (!covered[i]) {
            out += text[i];
        } else if (i == 0 || !covered[i - 1]) {
            out += kMaskText;
        }
    }
    return out;
}

/// `text` as a terminal prints it: each "\n" as "\r\n".
std::string with_crlf(const std::string& text) {
    std::string out;
    for (const char c : text) out += c == '\n' ? std::string("\r\n") : std::string(1, c);
    return out;
}

const std::string kSecret = "hunter2-Secret!";

// Shaped like an OpenSSH key (not a real one). Its last body line is short.
const std::string kKey =
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "QyNTUxOQAAACDk3Yq1mJ8K5sV0nE0Zr8vQ2c9f4yT6nqv7sO3Rk9aYkQAAAJg3w1Jx98NS\n"
    "cQAAAAtzc2gtZWQyNTUxOQAAACDk3Yq1mJ8K5sV0nE0Zr8vQ2c9f4yT6nqv7sO3Rk9aYkQ\n"
    "Zg==\n"
    "-----END OPENSSH PRIVATE KEY-----\n";

}  // namespace

TEST_CASE("secret masker: a secret's value in the output is masked") {
    CHECK(masked({kSecret}, "password is hunter2-Secret!\n") == "password is ****\n");
    CHECK(masked({kSecret}, "hunter2-Secret!") == "****");
    CHECK(masked({kSecret}, "a hunter2-Secret! b hunter2-Secret! c") == "a **** b **** c");
    // Close is not equal.
    CHECK(masked({kSecret}, "hunter2-Secret?") == "hunter2-Secret?");
}

TEST_CASE("secret masker: a value split across two writes is masked at every split point") {
    const std::string text = "login with hunter2-Secret! now\n";
    for (size_t split = 0; split <= text.size(); ++split) {
        SecretMasker masker({kSecret});
        CAPTURE(split);
        CHECK(masked_in_pieces(masker, {text.substr(0, split), text.substr(split)}) ==
              "login with **** now\n");
    }
}

TEST_CASE("secret masker: a value written one byte at a time is masked") {
    CHECK(masked_byte_by_byte({kSecret}, "x hunter2-Secret! y hunter2-Secret!") == "x **** y ****");
    CHECK(masked_byte_by_byte({kKey}, "key:\n" + kKey + "done\n") == "key:\n****done\n");
}

TEST_CASE("secret masker: bytes held back that turn out not to be a secret are released intact") {
    SecretMasker masker({kSecret});
    CHECK(masker.feed("hello hunt") == "hello ");
    CHECK(masker.held() == 4);
    CHECK(masker.feed("er2-S") == "");  // still the value's beginning
    CHECK(masker.held() == 9);
    CHECK(masker.feed("ecretary\n") == "hunter2-Secretary\n");
    CHECK(masker.held() == 0);

    // The stream ends on a beginning: flush releases it as it was.
    CHECK(masker.feed("and hunter2") == "and ");
    CHECK(masker.flush() == "hunter2");
    CHECK(masker.held() == 0);
}

TEST_CASE("secret masker: output without secrets passes unchanged and nothing is held") {
    const std::string build_output =
        "[ 42%] Building CXX object agent/CMakeFiles/fmg_agent.dir/job/checkout.cpp.o\n"
        "make[2]: Leaving directory '/work/main/build'\n";
    SecretMasker masker({kSecret, "another-secret-value"});
    REQUIRE(masker.active());
    CHECK(masker.feed(build_output) == build_output);
    CHECK(masker.held() == 0);
    CHECK(masker.flush().empty());
}

TEST_CASE("secret masker: no secrets, or only values shorter than 4 bytes, mask nothing") {
    SecretMasker none({});
    CHECK_FALSE(none.active());
    CHECK(none.feed("hunter2-Secret! abc") == "hunter2-Secret! abc");
    CHECK(none.held() == 0);
    CHECK(none.flush().empty());

    SecretMasker short_ones({"abc", "", "x"});
    CHECK_FALSE(short_ones.active());
    CHECK(short_ones.feed("abc x") == "abc x");
    CHECK(short_ones.held() == 0);

    CHECK(masked({"abcd"}, "abcd abc") == "**** abc");  // 4 bytes is enough
}

TEST_CASE("secret masker: a secret given twice is masked once") {
    CHECK(SecretMasker({kSecret, kSecret}).forms() == SecretMasker({kSecret}).forms());
    CHECK(masked({kSecret, kSecret}, "hunter2-Secret!") == "****");
}

TEST_CASE("secret masker: base64 of the value as the base64 tool prints it is masked") {
    // printf %s "$SECRET" | base64
    CHECK(masked({kSecret}, "aHVudGVyMi1TZWNyZXQh\n") == "****\n");
    // echo "$SECRET" | base64 (the newline is encoded too)
    CHECK(masked({kSecret}, "aHVudGVyMi1TZWNyZXQhCg==\n") == "****\n");
    CHECK(masked_byte_by_byte({kSecret}, "token: aHVudGVyMi1TZWNyZXQhCg==\n") == "token: ****\n");

    // '+' and '/' in standard base64 are '-' and '_' in base64url, padded or not (JWTs).
    const std::string value = "q>?~x??";
    CHECK(masked({value}, "cT4/fng/Pw==\n") == "****\n");
    CHECK(masked({value}, "cT4_fng_Pw==\n") == "****\n");
    CHECK(masked({value}, "eyJ.cT4_fng_Pw.sig") == "eyJ.****.sig");
}

TEST_CASE("secret masker: base64 of a long value is masked as wrapped in lines") {
    const std::string value =
        "correct-horse-battery-staple/correct-horse-battery-staple?correct-horse-battery-staple!";
    // base64: 76 columns.
    const std::string base64_lines =
        "Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5LXN0YXBsZS9jb3JyZWN0LWhvcnNlLWJhdHRlcnktc3RhcGxl\n"
        "P2NvcnJlY3QtaG9yc2UtYmF0dGVyeS1zdGFwbGUh\n";
    CHECK(masked({value}, base64_lines) == "****\n");
    // The same through a terminal, which prints each "\n" as "\r\n".
    CHECK(masked({value}, with_crlf(base64_lines)) == "****\r\n");
    // openssl base64: 64 columns.
    CHECK(masked({value},
                 "Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5LXN0YXBsZS9jb3JyZWN0LWhvcnNlLWJhdHRl\n"
                 "cnktc3RhcGxlP2NvcnJlY3QtaG9yc2UtYmF0dGVyeS1zdGFwbGUh\n") == "****\n");
}

TEST_CASE("secret masker: base64 of longer data holding the value is masked where it is its own") {
    // Each base64 character holds 6 bits: those wholly inside the value's bytes are masked,
    // those shared with a neighbouring byte stay (they are the same for other values too).
    // '~' (0x7E) after the value: its bits in the value's last character are not the zeros
    // of the value's own unpadded base64, so that form does not match one more character.
    const std::string suffix = "~tail";
    for (const std::string value :
         {"hunter2-Secret!", "hunter2-Secret", "hunter2-Secre", "s3cr3t-pass", "abcdefg", "abcd"}) {
        for (size_t offset = 0; offset < 6; ++offset) {
            CAPTURE(value, offset);
            const std::string data = std::string("prefix").substr(0, offset) + value + suffix;
            const std::string encoded = crypto::base64_encode(data);
            const size_t first = (8 * offset + 5) / 6;           // first character of it alone
            const size_t end = 8 * (offset + value.size()) / 6;  // past the last one
            std::string expected = encoded;
            if (end - first >= kMinDerivedFormBytes) {
                expected.replace(first, end - first, kMaskText);
            }
            CHECK(masked({value}, encoded) == expected);
            CHECK(masked_byte_by_byte({value}, encoded) == expected);
        }
    }
}

TEST_CASE("secret masker: short base64 fragments do not hide innocent text") {
    // "abcd" is "YWJjZA==": at offset 0 inside longer data only "YWJjZ" is its own, 5
    // characters, too short to be masked on their own.
    CHECK(masked({"abcd"}, "YWJjZA==") == "****");
    CHECK(masked({"abcd"}, "digest YWJjZXh0cmE=") == "digest YWJjZXh0cmE=");
}

TEST_CASE("secret masker: percent-encoded values are masked with upper- and lower-case hex") {
    const std::string value = "p@ss w0rd/:?";
    CHECK(masked({value}, "https://u:p%40ss%20w0rd%2F%3A%3F@db/") == "https://u:****@db/");
    CHECK(masked({value}, "https://u:p%40ss%20w0rd%2f%3a%3f@db/") == "https://u:****@db/");
    // Form encoding: space as '+'.
    CHECK(masked({value}, "user=u&password=p%40ss+w0rd%2F%3A%3F&x=1") ==
          "user=u&password=****&x=1");
    CHECK(masked({value}, "password=p%40ss+w0rd%2f%3a%3f") == "password=****");
    // A value made of unreserved characters only is its own percent-encoding.
    CHECK(masked({"plain-Value_1.0~"}, "v=plain-Value_1.0~") == "v=****");
}

TEST_CASE("secret masker: a multi-line key is masked printed whole with LF or CRLF") {
    CHECK(masked({kKey}, "$ cat id_ed25519\n" + kKey + "$ ") == "$ cat id_ed25519\n****$ ");
    // Through a terminal: each "\n" printed as "\r\n".
    CHECK(masked({kKey}, with_crlf(kKey)) == "****");
    // The value without its last newline (`echo "$(cat key)"` prints it with one again).
    CHECK(masked({kKey}, kKey.substr(0, kKey.size() - 1)) == "****");
}

TEST_CASE("secret masker: each long line of a multi-line key is masked on its own") {
    // Printed indented (or numbered, or grepped): lines of 8 bytes or more are masked; the PEM
    // armor lines are the same in every key and stay, and so does a short line.
    std::string indented;
    size_t start = 0;
    for (size_t end; (end = kKey.find('\n', start)) != std::string::npos; start = end + 1) {
        indented += "    " + kKey.substr(start, end - start) + "\n";
    }
    CHECK(masked({kKey}, indented) ==
          "    -----BEGIN OPENSSH PRIVATE KEY-----\n"
          "    ****\n"
          "    ****\n"
          "    ****\n"
          "    Zg==\n"
          "    -----END OPENSSH PRIVATE KEY-----\n");
    // A certificate's armor is not hidden because a key has the same shape.
    CHECK(masked({kKey}, "-----BEGIN CERTIFICATE-----\n") == "-----BEGIN CERTIFICATE-----\n");
}

TEST_CASE("secret masker: a secret inside another secret") {
    const std::vector<std::string> secrets = {"s3cr3t-pass", "postgres://app:s3cr3t-pass@db"};
    CHECK(masked(secrets, "url=postgres://app:s3cr3t-pass@db pass=s3cr3t-pass") ==
          "url=**** pass=****");
    CHECK(masked_byte_by_byte(secrets, "url=postgres://app:s3cr3t-pass@dc") ==
          "url=postgres://app:****@dc");
}

TEST_CASE("secret masker: overlapping and adjacent occurrences become one mask") {
    CHECK(masked({"xyxyxy"}, "[xyxyxyxyxy]") == "[****]");
    CHECK(masked({"alpha-beta", "beta-gamma"}, "alpha-beta-gamma!") == "****!");
    CHECK(masked({"tok3n-42"}, "tok3n-42tok3n-42 tok3n-42") == "**** ****");
    // Adjacent across two writes, and the second write ending in the middle of one.
    SecretMasker masker({"tok3n-42"});
    CHECK(masker.feed("a tok3n-42") == "a ****");
    CHECK(masker.feed("tok3n-42") == "");
    CHECK(masker.feed("tok3n-") == "");
    CHECK(masker.feed("42 b") == " b");
    CHECK(masker.flush().empty());
}

TEST_CASE("secret masker: after flush the next write starts a new stream") {
    SecretMasker masker({"tok3n-42"});
    CHECK(masker.feed("x tok3n") == "x ");
    CHECK(masker.flush() == "tok3n");
    CHECK(masker.feed("-42") == "-42");
    CHECK(masker.feed(" tok3n-42") == " ****");
    CHECK(masker.flush().empty());
}

TEST_CASE("secret masker: copies mask their own streams") {
    const SecretMasker fresh({kSecret});
    SecretMasker stdout_masker = fresh;
    SecretMasker stderr_masker = fresh;
    CHECK(stdout_masker.feed("1 hunter2-") == "1 ");
    CHECK(stderr_masker.feed("2 Secret!") == "2 Secret!");
    CHECK(stdout_masker.feed("Secret!") == "****");
    CHECK(stderr_masker.flush().empty());
}

TEST_CASE("secret masker: random output split at random points is masked as a whole") {
    std::mt19937 random(20240611);
    const auto below = [&](size_t bound) {
        return std::uniform_int_distribution<size_t>(0, bound - 1)(random);
    };
    // Few letters, so output often begins secrets without finishing them. No '*': the check
    // that no form survives must not be fooled by the mask text.
    const std::string alphabet = "abAB01+/=%-_ \n\r";
    const auto random_text = [&](size_t length) {
        std::string text;
        for (size_t i = 0; i < length; ++i) text += alphabet[below(alphabet.size())];
        return text;
    };
    for (int round = 0; round < 200; ++round) {
        std::vector<std::string> secrets;
        for (size_t count = 1 + below(4); count > 0; --count) {
            secrets.push_back(random_text(3 + below(30)));
        }
        SecretMasker masker(secrets);
        const auto& forms = masker.forms();
        std::string text;
        while (text.size() < 3000) {
            text += random_text(below(40));
            if (forms.empty()) continue;
            const std::string& form = forms[below(forms.size())];
            text += below(4) == 0 ? form.substr(0, below(form.size())) : form;
        }
        std::vector<std::string> pieces;
        for (size_t at = 0; at < text.size();) {
            const size_t length = below(4) == 0 ? below(3) : below(200);
            pieces.push_back(text.substr(at, length));
            at += length;
        }
        CAPTURE(round, secrets);
        const std::string out = masked_in_pieces(masker, pieces);
        CHECK(out == reference_masked(forms, text));
        for (const auto& form : forms) CHECK(out.find(form) == std::string::npos);
    }
}

TEST_CASE("secret masker: throughput with 20 secrets in 64 KiB chunks", "[.bench]") {
    std::mt19937 random(7);
    std::vector<std::string> secrets;
    for (int i = 0; i < 20; ++i) {
        std::string secret;
        for (int j = 0; j < 32; ++j) secret += static_cast<char>('!' + random() % 94);
        secrets.push_back(secret);
    }
    SecretMasker masker(secrets);
    std::string chunk;
    for (int line = 0; chunk.size() < 64 * 1024; ++line) {
        chunk += "[ " + std::to_string(line % 100) +
                 "%] Building CXX object agent/CMakeFiles/fmg_agent.dir/job/file_" +
                 std::to_string(line) + ".cpp.o -- warning: unused variable 'x' [-Wunused]\n";
    }
    chunk.resize(64 * 1024);
    constexpr int kChunks = 2048;  // 128 MiB
    size_t out_bytes = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kChunks; ++i) out_bytes += masker.feed(chunk).size();
    const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
    const double mib = kChunks * 64.0 / 1024.0;
    WARN(masker.forms().size() << " forms: " << mib / seconds.count() << " MiB/s");
    CHECK(out_bytes + masker.held() == kChunks * chunk.size());
}
