// Secrets at rest and at dispatch: AES-256-GCM sealing bound to where a value is stored, the
// key file and its rotation, the rules for names and values, and what a dispatched job gets
// (its contexts' values, none for a fork, a clear failure for a context without secrets).

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "coordinator/secrets/job_secrets.h"
#include "coordinator/secrets/keyring.h"
#include "coordinator/secrets/rotation.h"
#include "coordinator/store/secret_store.h"
#include "tests/unit/coordinator/store_fixture.h"

using namespace fmg::coordinator;
namespace protocol = fmg::protocol;
using testing::kT0;

namespace {

std::string file_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Every byte of the secrets table: what a copy of the database shows of it.
std::string secrets_table_bytes(Database& db) {
    std::string all;
    auto query = db.prepare("SELECT scope, name, nonce, sealed, updated_by FROM secrets");
    while (query.step()) {
        for (int column = 0; column < 5; ++column) all += query.blob(column) + "|";
    }
    return all;
}

/// An assign as make_assign builds it for a job with contexts: the Secrets step first.
protocol::Assign assign_with_secrets_step() {
    protocol::Assign assign;
    protocol::StepSpec step;
    step.name = kSecretsStepName;
    assign.steps.push_back(step);
    step.name = "deploy";
    assign.steps.push_back(step);
    return assign;
}

}  // namespace

TEST_CASE("a sealed value opens only with its key, unaltered, in its own place") {
    testing::TempDir dir;
    Keyring keyring(dir.path());
    struct stat info {};
    REQUIRE(::stat((dir.path() / "secrets.key").c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);

    const Sealed sealed = keyring.seal("hunter2-is-long-enough", "prod\0TOKEN");
    CHECK(sealed.ciphertext.find("hunter2") == std::string::npos);
    CHECK(sealed.nonce.size() == 12);
    CHECK(keyring.open(sealed, "prod\0TOKEN").value() == "hunter2-is-long-enough");
    // Sealing twice gives other bytes (a fresh nonce each time).
    CHECK(keyring.seal("hunter2-is-long-enough", "prod\0TOKEN").ciphertext != sealed.ciphertext);

    CHECK_FALSE(keyring.open(sealed, "staging\0TOKEN"));  // moved to another place
    Sealed altered = sealed;
    altered.ciphertext[0] = static_cast<char>(altered.ciphertext[0] ^ 1);
    CHECK_FALSE(keyring.open(altered, "prod\0TOKEN"));
    Sealed unknown_key = sealed;
    unknown_key.key_id = 7;
    auto refused = keyring.open(unknown_key, "prod\0TOKEN");
    REQUIRE_FALSE(refused);
    CHECK_THAT(refused.error().message, Catch::Contains("key 7"));

    // Another start reads the same key; another data dir has another.
    Keyring again(dir.path());
    CHECK(again.open(sealed, "prod\0TOKEN").value() == "hunter2-is-long-enough");
    testing::TempDir other_dir;
    CHECK_FALSE(Keyring(other_dir.path()).open(sealed, "prod\0TOKEN"));
}

TEST_CASE("a damaged key file stops the coordinator with its path") {
    testing::TempDir dir;
    {
        std::ofstream out(dir.path() / "secrets.key");
        out << "key 1 not-hex\n";
    }
    CHECK_THROWS_WITH(Keyring(dir.path()), Catch::Contains("secrets.key is damaged"));
}

TEST_CASE("secrets are stored sealed, listed without values, replaced and removed") {
    testing::Store store;
    Keyring keyring(store.dir.path());
    CHECK(secrets::set(store.db, keyring, secrets::context_scope("prod"), "DEPLOY_TOKEN",
                       "tok-123456", "admin", kT0));
    CHECK_FALSE(secrets::set(store.db, keyring, secrets::context_scope("prod"), "DEPLOY_TOKEN",
                             "tok-abcdef", "ops", kT0 + 5));
    CHECK(secrets::set(store.db, keyring, secrets::context_scope("prod"), "AWS_KEY", "AKIA-0000",
                       "admin", kT0));
    CHECK(secrets_table_bytes(store.db).find("tok-") == std::string::npos);
    CHECK(secrets_table_bytes(store.db).find("AKIA") == std::string::npos);

    auto listed = secrets::list(store.db, secrets::context_scope("prod"));
    REQUIRE(listed.size() == 2);
    CHECK(listed[0].name == "AWS_KEY");
    CHECK(listed[1].name == "DEPLOY_TOKEN");
    CHECK(listed[1].created_at == kT0);
    CHECK(listed[1].updated_at == kT0 + 5);
    CHECK(listed[1].updated_by == "ops");

    auto values = secrets::values_for(store.db, keyring, {"prod"});
    REQUIRE(values);
    CHECK(values->at("DEPLOY_TOKEN") == "tok-abcdef");
    CHECK(secrets::remove(store.db, secrets::context_scope("prod"), "AWS_KEY"));
    CHECK_FALSE(secrets::remove(store.db, secrets::context_scope("prod"), "AWS_KEY"));
    CHECK(secrets::list(store.db, secrets::context_scope("prod")).size() == 1);
}

TEST_CASE("a job's contexts give their values, the later context winning a name") {
    testing::Store store;
    Keyring keyring(store.dir.path());
    secrets::set(store.db, keyring, secrets::context_scope("base"), "REGION", "eu-west-1", "admin",
                 kT0);
    secrets::set(store.db, keyring, secrets::context_scope("base"), "TOKEN", "base-token", "admin",
                 kT0);
    secrets::set(store.db, keyring, secrets::context_scope("prod"), "TOKEN", "prod-token", "admin",
                 kT0);
    auto values = secrets::values_for(store.db, keyring, {"base", "prod"});
    REQUIRE(values);
    CHECK(*values ==
          std::map<std::string, std::string>{{"REGION", "eu-west-1"}, {"TOKEN", "prod-token"}});
    auto missing = secrets::values_for(store.db, keyring, {"base", "staging"});
    REQUIRE_FALSE(missing);
    CHECK_THAT(missing.error().message, Catch::Contains("context staging has no secrets") &&
                                            Catch::Contains("fmg secret set staging NAME"));
}

TEST_CASE("rotating the key seals every secret again and drops the old key") {
    testing::Store store;
    Keyring keyring(store.dir.path());
    secrets::set(store.db, keyring, secrets::context_scope("prod"), "TOKEN", "prod-token", "admin",
                 kT0);
    secrets::set(store.db, keyring, secrets::context_scope("ci"), "NPM_TOKEN", "npm-token-1",
                 "admin", kT0);
    const std::string before = secrets_table_bytes(store.db);

    auto rotated = rotate_secrets_key(store.db, keyring);
    REQUIRE(rotated);
    CHECK(rotated->key_id == 2);
    CHECK(rotated->resealed == 2);
    CHECK(secrets_table_bytes(store.db) != before);
    const std::string file = file_text(store.dir.path() / "secrets.key");
    CHECK(file.find("key 2 ") != std::string::npos);
    CHECK(file.find("key 1 ") == std::string::npos);
    // A new start reads only the new key, and every secret opens with it.
    Keyring restarted(store.dir.path());
    CHECK(restarted.current_key_id() == 2);
    CHECK(secrets::values_for(store.db, restarted, {"prod", "ci"}).value().size() == 2);
}

TEST_CASE("secret names are variables, context names path segments, values long enough") {
    CHECK_FALSE(secrets::name_problem("DEPLOY_TOKEN"));
    CHECK_FALSE(secrets::name_problem("_x1"));
    CHECK(secrets::name_problem(""));
    CHECK(secrets::name_problem("1ABC"));
    CHECK(secrets::name_problem("A-B"));
    CHECK(secrets::name_problem("A=B"));
    CHECK(secrets::name_problem("FMG_TOKEN"));
    CHECK(secrets::name_problem("CIRCLE_BRANCH"));
    CHECK(secrets::name_problem(std::string(129, 'A')));
    CHECK_FALSE(secrets::context_problem("org-global"));
    CHECK_FALSE(secrets::context_problem("prod.eu_1"));
    CHECK(secrets::context_problem(""));
    CHECK(secrets::context_problem(".."));
    CHECK(secrets::context_problem("a/b"));
    CHECK(secrets::context_problem("a b"));
    CHECK(secrets::context_problem(std::string(101, 'c')));
    CHECK_FALSE(secrets::value_problem("abcd"));
    auto short_value = secrets::value_problem("abc");
    REQUIRE(short_value);
    CHECK_THAT(*short_value, Catch::Contains("at least 4 characters"));
    CHECK(short_value->find("abc") == std::string::npos);  // never the value
    CHECK(secrets::value_problem(std::string("ab\0cd", 5)));
    CHECK(secrets::value_problem(std::string(64 * 1024 + 1, 'x')));
}

TEST_CASE("a dispatched job gets its secrets, a fork's none, a missing context a failure") {
    testing::Store store;
    Keyring keyring(store.dir.path());
    secrets::set(store.db, keyring, secrets::context_scope("prod"), "TOKEN", "prod-token", "admin",
                 kT0);
    JobSpec spec;
    spec.contexts = {"prod"};
    PipelineRow pipeline;

    protocol::Assign given = assign_with_secrets_step();
    give_secrets(given, spec, pipeline, store.db, keyring);
    CHECK(given.secrets == protocol::Environment{{"TOKEN", "prod-token"}});
    CHECK_THAT(given.steps[0].environment.at("FMG_SECRETS_NOTE"),
               Catch::Contains("secrets of context(s) prod: TOKEN"));
    CHECK_FALSE(given.steps[0].environment.count("FMG_SECRETS_ERROR"));
    CHECK(given.steps[1].environment.empty());  // the values are for the assign alone

    PipelineRow fork = pipeline;
    fork.from_fork = true;
    fork.fork_repo = "forker/demo";
    protocol::Assign forked = assign_with_secrets_step();
    give_secrets(forked, spec, fork, store.db, keyring);
    CHECK(forked.secrets.empty());
    CHECK_THAT(forked.steps[0].environment.at("FMG_SECRETS_NOTE"),
               Catch::Contains("comes from a fork (forker/demo)"));
    CHECK_FALSE(forked.steps[0].environment.count("FMG_SECRETS_ERROR"));

    spec.contexts = {"prod", "staging"};
    protocol::Assign missing = assign_with_secrets_step();
    give_secrets(missing, spec, pipeline, store.db, keyring);
    CHECK(missing.secrets.empty());
    CHECK_THAT(missing.steps[0].environment.at("FMG_SECRETS_ERROR"),
               Catch::Contains("context staging has no secrets"));

    JobSpec plain;  // no contexts: nothing happens
    protocol::Assign untouched = assign_with_secrets_step();
    give_secrets(untouched, plain, pipeline, store.db, keyring);
    CHECK(untouched.secrets.empty());
    CHECK(untouched.steps[0].environment.empty());
}

TEST_CASE("a repository's secrets are kept apart from contexts, under its name in lower case") {
    testing::Store store;
    Keyring keyring(store.dir.path());
    const auto repo = secrets::repository_scope("Acme/App");
    CHECK(repo.name == "acme/app");
    CHECK(repo.described() == "repository acme/app");
    CHECK(secrets::set(store.db, keyring, repo, "NPM_TOKEN", "npm-0000", "admin", kT0));
    secrets::set(store.db, keyring, secrets::context_scope("prod"), "TOKEN", "prod-token", "admin",
                 kT0);
    CHECK(secrets_table_bytes(store.db).find("npm-0000") == std::string::npos);

    // The contexts list is of contexts only; a repository is not a context a job can name.
    const auto contexts = secrets::contexts(store.db);
    REQUIRE(contexts.size() == 1);
    CHECK(contexts[0].name == "prod");
    CHECK_FALSE(secrets::values_for(store.db, keyring, {"acme/app"}));

    auto values = secrets::repository_values(store.db, keyring, "ACME/app");
    REQUIRE(values);
    CHECK(*values == std::map<std::string, std::string>{{"NPM_TOKEN", "npm-0000"}});
    auto none = secrets::repository_values(store.db, keyring, "acme/other");
    REQUIRE(none);
    CHECK(none->empty());
    CHECK(secrets::has_secrets(store.db, secrets::repository_scope("acme/APP")));
    CHECK(secrets::list(store.db, repo).size() == 1);

    // Rotation reseals repositories' secrets too; a config's `context: acme/app` gets none.
    CHECK(rotate_secrets_key(store.db, keyring).value().resealed == 2);
    CHECK(secrets::repository_values(store.db, keyring, "acme/app").value().at("NPM_TOKEN") ==
          "npm-0000");
    CHECK(secrets::remove(store.db, repo, "NPM_TOKEN"));
    CHECK_FALSE(secrets::has_secrets(store.db, repo));
}

TEST_CASE("a repository's name is checked as GitHub's owner/name") {
    CHECK_FALSE(secrets::scope_problem(secrets::repository_scope("acme/app.js")));
    CHECK(secrets::scope_problem(secrets::repository_scope("acme")));
    CHECK(secrets::scope_problem(secrets::repository_scope("acme/..")));
    CHECK(secrets::scope_problem(secrets::repository_scope("acme/a b")));
    CHECK(secrets::scope_problem(secrets::repository_scope("a/b/c")));
    CHECK(secrets::scope_problem(secrets::context_scope("a/b")));
}

TEST_CASE("a job gets its repository's secrets under its contexts', a fork neither") {
    testing::Store store;
    Keyring keyring(store.dir.path());
    const auto repo = secrets::repository_scope("acme/app");
    secrets::set(store.db, keyring, repo, "TOKEN", "repo-token", "admin", kT0);
    secrets::set(store.db, keyring, repo, "NPM_TOKEN", "npm-0000", "admin", kT0);
    secrets::set(store.db, keyring, secrets::context_scope("prod"), "TOKEN", "prod-token", "admin",
                 kT0);
    PipelineRow pipeline;
    pipeline.repo = "Acme/App";

    JobSpec own;  // no contexts: the repository's alone
    own.repository_secrets = true;
    protocol::Assign alone = assign_with_secrets_step();
    give_secrets(alone, own, pipeline, store.db, keyring);
    CHECK(alone.secrets ==
          protocol::Environment{{"NPM_TOKEN", "npm-0000"}, {"TOKEN", "repo-token"}});
    CHECK_THAT(alone.steps[0].environment.at("FMG_SECRETS_NOTE"),
               Catch::Contains("of repository Acme/App: NPM_TOKEN, TOKEN"));

    JobSpec both = own;
    both.contexts = {"prod"};
    protocol::Assign given = assign_with_secrets_step();
    give_secrets(given, both, pipeline, store.db, keyring);
    CHECK(given.secrets ==
          protocol::Environment{{"NPM_TOKEN", "npm-0000"}, {"TOKEN", "prod-token"}});
    CHECK_THAT(given.steps[0].environment.at("FMG_SECRETS_NOTE"),
               Catch::Contains("of context(s) prod: TOKEN"));

    PipelineRow fork = pipeline;
    fork.from_fork = true;
    protocol::Assign forked = assign_with_secrets_step();
    give_secrets(forked, own, fork, store.db, keyring);
    CHECK(forked.secrets.empty());
    CHECK_THAT(forked.steps[0].environment.at("FMG_SECRETS_NOTE"),
               Catch::Contains("runs without secrets, as GitHub"));

    // Removed since the pipeline was prepared: the job runs on, with none.
    secrets::remove(store.db, repo, "TOKEN");
    secrets::remove(store.db, repo, "NPM_TOKEN");
    protocol::Assign emptied = assign_with_secrets_step();
    give_secrets(emptied, own, pipeline, store.db, keyring);
    CHECK(emptied.secrets.empty());
    CHECK_FALSE(emptied.steps[0].environment.count("FMG_SECRETS_ERROR"));
    CHECK_THAT(emptied.steps[0].environment.at("FMG_SECRETS_NOTE"),
               Catch::Contains("of repository Acme/App: none"));
}
