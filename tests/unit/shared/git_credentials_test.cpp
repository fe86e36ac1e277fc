#include <catch2/catch.hpp>
#include <cstdlib>
#include <optional>
#include <string>

#include "shared/git/credentials.h"
#include "shared/git/error.h"
#include "shared/git/mirror.h"

using namespace fmg::git;

namespace {

// Sets (or unsets, with nullopt) an environment variable for one test, then restores it.
class ScopedEnv {
  public:
    ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value) {
            ::setenv(name, value->c_str(), 1);
        } else {
            ::unsetenv(name);
        }
    }
    ~ScopedEnv() {
        if (old_) {
            ::setenv(name_, old_->c_str(), 1);
        } else {
            ::unsetenv(name_);
        }
    }

  private:
    const char* name_;
    std::optional<std::string> old_;
};

struct Credential {
    git_credential* raw = nullptr;
    ~Credential() {
        if (raw != nullptr) git_credential_free(raw);
    }
};

std::string last_message() {
    const git_error* error = git_error_last();
    return error != nullptr && error->message != nullptr ? error->message : "";
}

}  // namespace

TEST_CASE("an https server asking for credentials gets FMG_GIT_TOKEN as x-access-token once") {
    init_library();
    ScopedEnv token(kTokenEnvironmentVariable, "ghs_s3cr3tvalue");
    CredentialAttempts attempts;
    Credential first;
    REQUIRE(acquire_credential(&first.raw, "https://github.com/o/r.git", nullptr,
                               GIT_CREDENTIAL_USERPASS_PLAINTEXT, &attempts) == 0);
    CHECK(git_credential_get_username(first.raw) == std::string("x-access-token"));

    // The server refused it and asks again: no second offer, and the message names the
    // variable, not its value.
    Credential second;
    CHECK(acquire_credential(&second.raw, "https://github.com/o/r.git", nullptr,
                             GIT_CREDENTIAL_USERPASS_PLAINTEXT, &attempts) == GIT_EAUTH);
    CHECK(second.raw == nullptr);
    CHECK_THAT(last_message(), Catch::Contains("FMG_GIT_TOKEN"));
    CHECK_THAT(last_message(), !Catch::Contains("s3cr3t"));
}

TEST_CASE("FMG_GIT_TOKEN is never sent over plain http") {
    init_library();
    ScopedEnv token(kTokenEnvironmentVariable, "ghs_s3cr3tvalue");
    CredentialAttempts attempts;
    Credential credential;
    CHECK(acquire_credential(&credential.raw, "http://git.example.com/r.git", nullptr,
                             GIT_CREDENTIAL_USERPASS_PLAINTEXT, &attempts) == GIT_EAUTH);
    CHECK(credential.raw == nullptr);
    CHECK_THAT(last_message(), Catch::Contains("only sent over https"));
}

TEST_CASE("without a token the failure says what to configure") {
    init_library();
    ScopedEnv token(kTokenEnvironmentVariable, std::nullopt);
    CredentialAttempts attempts;
    Credential credential;
    CHECK(acquire_credential(&credential.raw, "https://github.com/o/r.git", nullptr,
                             GIT_CREDENTIAL_USERPASS_PLAINTEXT, &attempts) == GIT_EAUTH);
    CHECK_THAT(last_message(), Catch::Contains("set FMG_GIT_TOKEN"));
}

TEST_CASE("an ssh server gets the URL's user name, then the ssh-agent's keys once") {
    init_library();
    ScopedEnv agent("SSH_AUTH_SOCK", "/tmp/fmg-test-agent.sock");
    ScopedEnv key(kSshKeyEnvironmentVariable, std::nullopt);
    CredentialAttempts attempts;
    Credential user;
    REQUIRE(acquire_credential(&user.raw, "ssh://git@example.com/r.git", "git",
                               GIT_CREDENTIAL_USERNAME | GIT_CREDENTIAL_SSH_KEY, &attempts) == 0);
    CHECK(git_credential_get_username(user.raw) == std::string("git"));

    Credential from_agent;
    REQUIRE(acquire_credential(&from_agent.raw, "ssh://git@example.com/r.git", "git",
                               GIT_CREDENTIAL_SSH_KEY, &attempts) == 0);
    CHECK(git_credential_get_username(from_agent.raw) == std::string("git"));

    Credential again;
    CHECK(acquire_credential(&again.raw, "ssh://git@example.com/r.git", "git",
                             GIT_CREDENTIAL_SSH_KEY, &attempts) == GIT_EAUTH);
    CHECK_THAT(last_message(), Catch::Contains("refused"));
}

TEST_CASE("scrub_secrets removes the token's value and URL credentials from messages") {
    ScopedEnv token(kTokenEnvironmentVariable, "ghs_s3cr3tvalue");
    auto text = scrub_secrets("bad token ghs_s3cr3tvalue for https://x:ghs_s3cr3tvalue@h/r");
    CHECK_THAT(text, !Catch::Contains("s3cr3t"));
    CHECK_THAT(text, Catch::Contains("https://h/r"));
}

TEST_CASE("FMG_GIT_TOKEN is offered only to github.com when FMG_GIT_TOKEN_HOSTS is unset") {
    init_library();
    ScopedEnv token(kTokenEnvironmentVariable, "ghs_s3cr3tvalue");
    ScopedEnv hosts(kTokenHostsEnvironmentVariable, std::nullopt);
    // A repository URL (or a redirect) naming any other https server gets nothing.
    for (const char* url : {"https://evil.example.com/o/r.git", "https://github.com.evil.io/o/r",
                            "https://api.github.com/o/r.git", "https://127.0.0.1:8443/r.git"}) {
        INFO(url);
        CredentialAttempts attempts;
        Credential credential;
        CHECK(acquire_credential(&credential.raw, url, nullptr, GIT_CREDENTIAL_USERPASS_PLAINTEXT,
                                 &attempts) == GIT_EAUTH);
        CHECK(credential.raw == nullptr);
        CHECK_THAT(last_message(), Catch::Contains("FMG_GIT_TOKEN_HOSTS"));
        CHECK_THAT(last_message(), !Catch::Contains("s3cr3t"));
    }
    CHECK(may_offer_token("https://GitHub.com:443/o/r.git"));
    CHECK(may_offer_token("https://user@github.com/o/r.git"));
    CHECK_FALSE(may_offer_token("http://github.com/o/r.git"));
    CHECK_FALSE(may_offer_token("https://github.com@evil.example.com/o/r.git"));
}

TEST_CASE("FMG_GIT_TOKEN_HOSTS names the hosts the token may go to") {
    init_library();
    ScopedEnv token(kTokenEnvironmentVariable, "ghs_s3cr3tvalue");
    ScopedEnv hosts(kTokenHostsEnvironmentVariable, "ghe.example.com, git.example.org");
    CHECK(may_offer_token("https://ghe.example.com/o/r.git"));
    CHECK(may_offer_token("https://git.example.org/o/r.git"));
    CHECK_FALSE(may_offer_token("https://github.com/o/r.git"));
    CHECK_FALSE(may_offer_token("https://example.com/o/r.git"));
    CredentialAttempts attempts;
    Credential credential;
    REQUIRE(acquire_credential(&credential.raw, "https://ghe.example.com/o/r.git", nullptr,
                               GIT_CREDENTIAL_USERPASS_PLAINTEXT, &attempts) == 0);
    CHECK(git_credential_get_username(credential.raw) == std::string("x-access-token"));
}
