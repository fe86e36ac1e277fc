// add_ssh_keys' choice of keys (agent/job/ssh_keys.h) with keys made by the real ssh-keygen:
// which secrets hold private keys, their fingerprints as `ssh-keygen -l` prints them, and the
// selection by the fingerprints a config gives in each form CircleCI users write.

#include "agent/job/ssh_keys.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "agent/executor/run_program.h"
#include "executor_test_support.h"

using namespace fmg::agent;
using TempDir = fmg::agent::testing::TempWorkspace;

namespace {

std::string file_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// Runs ssh-keygen with `arguments` to its end and returns its output; fails the test when it
/// does not succeed.
std::string ssh_keygen(const std::vector<std::string>& arguments) {
    SpawnRequest request;
    request.argv = {"/usr/bin/ssh-keygen"};
    request.argv.insert(request.argv.end(), arguments.begin(), arguments.end());
    request.env = {"PATH=/usr/bin:/bin"};
    request.working_directory = "/";
    const auto outcome = run_program(request, std::chrono::seconds(60), 64 * 1024);
    REQUIRE(outcome);
    INFO(outcome->output);
    REQUIRE(outcome->exit_code == 0);
    return outcome->output;
}

/// A key made by ssh-keygen: its private key as `fmg secret set` keeps it (one trailing newline
/// dropped), and its fingerprints as `ssh-keygen -l` prints them.
struct MadeKey {
    std::string private_key;
    std::string sha256;
    std::string md5;
};

MadeKey make_key(const TempDir& dir, const std::string& name, const std::string& type,
                 const std::string& passphrase = "") {
    const auto path = dir.path() / name;
    std::vector<std::string> argv = {"-q", "-t", type, "-N",         passphrase,
                                     "-C", name, "-f", path.string()};
    if (type == "rsa") {  // the PEM form CircleCI's docs still show
        argv.insert(argv.end(), {"-b", "2048", "-m", "PEM"});
    }
    ssh_keygen(argv);
    MadeKey key;
    key.private_key = file_text(path);
    key.private_key.pop_back();
    const auto word = [](const std::string& line) {
        std::istringstream in(line);
        std::string size, fingerprint;
        in >> size >> fingerprint;
        return fingerprint;
    };
    key.sha256 = word(ssh_keygen({"-l", "-E", "sha256", "-f", path.string() + ".pub"}));
    key.md5 = word(ssh_keygen({"-l", "-E", "md5", "-f", path.string() + ".pub"}));
    return key;
}

fmg::Result<std::string> never_read(std::string_view) {
    FAIL("no key's public part is needed when no fingerprint is given");
    return fmg::Error{"unreachable"};
}

}  // namespace

TEST_CASE("a secret holds an SSH private key when it has a private key's armour") {
    CHECK(
        holds_private_key("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH "
                          "PRIVATE KEY-----"));
    CHECK(holds_private_key("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n"));
    CHECK(holds_private_key("\n-----BEGIN EC PRIVATE KEY-----\n"));
    CHECK_FALSE(holds_private_key("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI test"));
    CHECK_FALSE(holds_private_key("-----BEGIN CERTIFICATE-----\nPRIVATE KEY-----"));
    CHECK_FALSE(holds_private_key("hunter2-password"));
}

TEST_CASE("fingerprints are ssh-keygen's, and match in each form a config writes them") {
    TempDir dir;
    for (const std::string& type :
         {std::string("ed25519"), std::string("rsa"), std::string("ecdsa")}) {
        INFO(type);
        const MadeKey key = make_key(dir, "key-" + type, type);
        auto line = public_key_of(key.private_key);
        REQUIRE(line);
        auto fingerprints = fingerprints_of_public_key(*line);
        REQUIRE(fingerprints);
        CHECK(fingerprints->sha256 == key.sha256);
        CHECK(fingerprints->md5 == key.md5);
        CHECK(fingerprint_matches(key.sha256, *fingerprints));
        CHECK(fingerprint_matches(key.md5, *fingerprints));
        const std::string bare = key.md5.substr(4);  // CircleCI's "b7:35:a6:..."
        CHECK(fingerprint_matches(bare, *fingerprints));
        std::string upper = bare;
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        CHECK(fingerprint_matches(upper, *fingerprints));
        CHECK_FALSE(fingerprint_matches("SHA256:" + key.sha256.substr(8), *fingerprints));
        CHECK_FALSE(fingerprint_matches(key.sha256.substr(7), *fingerprints));
    }
    CHECK_FALSE(fingerprints_of_public_key("not a key"));
    CHECK_FALSE(fingerprints_of_public_key("ssh-ed25519 !!!!"));
}

TEST_CASE("a key with a passphrase cannot be read, and says so without its text") {
    TempDir dir;
    const MadeKey key = make_key(dir, "locked", "ed25519", "a passphrase");
    auto line = public_key_of(key.private_key);
    REQUIRE_FALSE(line);
    CHECK_THAT(line.error().message, Catch::Contains("without a passphrase"));
    CHECK(line.error().message.find(key.private_key.substr(40, 20)) == std::string::npos);
}

TEST_CASE("add_ssh_keys takes every key without fingerprints, else the ones they name") {
    TempDir dir;
    const MadeKey deploy = make_key(dir, "deploy", "ed25519");
    const MadeKey other = make_key(dir, "other", "rsa");
    const std::map<std::string, std::string> secrets = {{"DEPLOY_KEY", deploy.private_key},
                                                        {"OTHER_KEY", other.private_key},
                                                        {"NPM_TOKEN", "npm-0123456789"}};

    const KeyChoice all = choose_keys(secrets, {}, never_read);
    CHECK(all.problem.empty());
    CHECK(all.secrets == std::vector<std::string>{"DEPLOY_KEY", "OTHER_KEY"});

    const KeyChoice one = choose_keys(secrets, {deploy.sha256}, public_key_of);
    CHECK(one.problem.empty());
    CHECK(one.secrets == std::vector<std::string>{"DEPLOY_KEY"});
    REQUIRE(one.notes.size() == 1);
    CHECK_THAT(one.notes[0], Catch::Contains(deploy.sha256) && Catch::Contains("DEPLOY_KEY"));

    const KeyChoice by_md5 = choose_keys(secrets, {other.md5.substr(4)}, public_key_of);
    CHECK(by_md5.secrets == std::vector<std::string>{"OTHER_KEY"});

    const KeyChoice missing =
        choose_keys(secrets, {deploy.sha256, "SHA256:nosuchkeyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
                    public_key_of);
    CHECK(missing.secrets.empty());
    CHECK_THAT(missing.problem,
               Catch::Contains("no secret of this job holds the SSH key SHA256:nosuchkey"));

    const KeyChoice none = choose_keys({{"NPM_TOKEN", "npm-0123456789"}}, {}, never_read);
    CHECK(none.secrets.empty());
    CHECK_THAT(none.problem,
               Catch::Contains("none of this job's secrets holds an SSH private key") &&
                   Catch::Contains("fmg secret set --repo"));

    // A name the add-keys script could not read as a variable is never chosen.
    const KeyChoice odd = choose_keys({{"A;rm -rf /", deploy.private_key}}, {}, never_read);
    CHECK(odd.secrets.empty());
}
