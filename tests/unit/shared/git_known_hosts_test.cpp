// SSH host key verification: known_hosts matching and the libgit2 certificate callback.

#include <openssl/evp.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <optional>
#include <sstream>

#include "git_test_repo.h"
#include "shared/git/known_hosts.h"
#include "shared/git/mirror.h"
#include "shared/git/remote_callbacks.h"

using namespace fmg::git;
using namespace fmg::git_testing;

namespace {

// A host key made by ssh-keygen: its known_hosts fields and the wire-format blob an ssh
// server presents.
struct HostKey {
    std::string type_and_base64;  // "ssh-ed25519 AAAA..."
    std::string blob;
};

HostKey make_host_key(const TempDir& temp, const std::string& name) {
    const auto path = temp.path() / name;
    run("ssh-keygen -q -t ed25519 -N '' -C test -f " + quote(path.string()));
    std::istringstream fields(slurp(path.string() + ".pub"));
    std::string type, base64;
    fields >> type >> base64;
    std::string blob(base64.size(), '\0');
    int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(blob.data()),
                                 reinterpret_cast<const unsigned char*>(base64.data()),
                                 static_cast<int>(base64.size()));
    REQUIRE(length > 0);
    size_t padding = base64.size() - base64.find_last_not_of('=') - 1;
    blob.resize(static_cast<size_t>(length) - padding);
    return {type + " " + base64, blob};
}

class ScopedKnownHosts {
  public:
    explicit ScopedKnownHosts(const std::filesystem::path& file) {
        if (const char* old = std::getenv(kKnownHostsEnvironmentVariable)) old_ = old;
        ::setenv(kKnownHostsEnvironmentVariable, file.c_str(), 1);
    }
    ~ScopedKnownHosts() {
        if (old_) {
            ::setenv(kKnownHostsEnvironmentVariable, old_->c_str(), 1);
        } else {
            ::unsetenv(kKnownHostsEnvironmentVariable);
        }
    }

  private:
    std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("known_hosts: plain names, ports, case, other keys and other hosts") {
    TempDir temp;
    auto key = make_host_key(temp, "a");
    auto other = make_host_key(temp, "b");
    const std::string text = "# comment\n\ngit.example.com,10.0.0.1 " + key.type_and_base64 +
                             " comment\n[git.example.com]:2222 " + other.type_and_base64 + "\n";
    CHECK(check_known_hosts(text, "git.example.com", 22, key.blob) == HostKeyStatus::trusted);
    CHECK(check_known_hosts(text, "GIT.Example.COM", 22, key.blob) == HostKeyStatus::trusted);
    CHECK(check_known_hosts(text, "10.0.0.1", 22, key.blob) == HostKeyStatus::trusted);
    CHECK(check_known_hosts(text, "git.example.com", 22, other.blob) == HostKeyStatus::changed);
    CHECK(check_known_hosts(text, "git.example.com", 2222, other.blob) == HostKeyStatus::trusted);
    CHECK(check_known_hosts(text, "git.example.com", 2222, key.blob) == HostKeyStatus::changed);
    CHECK(check_known_hosts(text, "elsewhere.example.com", 22, key.blob) == HostKeyStatus::unknown);
}

TEST_CASE("known_hosts: wildcards, negations, @revoked and @cert-authority") {
    TempDir temp;
    auto key = make_host_key(temp, "a");
    const std::string text = "*.example.com,!evil.example.com " + key.type_and_base64 + "\n" +
                             "@cert-authority * " + key.type_and_base64 + "\n";
    CHECK(check_known_hosts(text, "git.example.com", 22, key.blob) == HostKeyStatus::trusted);
    CHECK(check_known_hosts(text, "evil.example.com", 22, key.blob) == HostKeyStatus::unknown);
    CHECK(check_known_hosts(text, "example.org", 22, key.blob) == HostKeyStatus::unknown);
    const std::string revoked = text + "@revoked git.example.com " + key.type_and_base64 + "\n";
    CHECK(check_known_hosts(revoked, "git.example.com", 22, key.blob) == HostKeyStatus::revoked);
}

TEST_CASE("known_hosts: names hashed by ssh-keygen -H") {
    TempDir temp;
    auto key = make_host_key(temp, "a");
    const auto file = temp.path() / "known_hosts";
    std::ofstream(file) << "git.example.com " << key.type_and_base64 << "\n"
                        << "[git.example.com]:2222 " << key.type_and_base64 << "\n";
    run("ssh-keygen -q -H -f " + quote(file.string()));
    const auto hashed = slurp(file);
    REQUIRE_THAT(hashed, !Catch::Contains("example"));
    CHECK(check_known_hosts(hashed, "git.example.com", 22, key.blob) == HostKeyStatus::trusted);
    CHECK(check_known_hosts(hashed, "git.example.com", 2222, key.blob) == HostKeyStatus::trusted);
    CHECK(check_known_hosts(hashed, "git.example.org", 22, key.blob) == HostKeyStatus::unknown);
}

TEST_CASE("the certificate callback accepts listed ssh host keys only") {
    init_library();
    TempDir temp;
    auto key = make_host_key(temp, "a");
    auto other = make_host_key(temp, "b");
    const auto file = temp.path() / "known_hosts";
    std::ofstream(file) << "[git.example.com]:2222 " << key.type_and_base64 << "\n";
    ScopedKnownHosts known_hosts(file);

    RemoteSession session;
    session.ssh_port = 2222;
    auto certificate = [](const HostKey& host_key) {
        git_cert_hostkey cert{};
        cert.parent.cert_type = GIT_CERT_HOSTKEY_LIBSSH2;
        cert.type = GIT_CERT_SSH_RAW;
        cert.raw_type = GIT_CERT_SSH_RAW_TYPE_KEY_ED25519;
        cert.hostkey = host_key.blob.data();
        cert.hostkey_len = host_key.blob.size();
        return cert;
    };
    auto listed = certificate(key);
    CHECK(check_certificate(&listed.parent, 0, "git.example.com", &session) == 0);

    auto intercepted = certificate(other);
    CHECK(check_certificate(&intercepted.parent, 0, "git.example.com", &session) ==
          GIT_ECERTIFICATE);
    CHECK_THAT(git_error_last()->message, Catch::Contains("does not match known_hosts"));

    CHECK(check_certificate(&listed.parent, 0, "new.example.com", &session) == GIT_ECERTIFICATE);
    CHECK_THAT(git_error_last()->message,
               Catch::Contains("ssh-keyscan -p 2222 new.example.com >> ~/.ssh/known_hosts"));

    git_cert x509{};
    x509.cert_type = GIT_CERT_X509;
    CHECK(check_certificate(&x509, 1, "github.com", &session) == GIT_PASSTHROUGH);
}
