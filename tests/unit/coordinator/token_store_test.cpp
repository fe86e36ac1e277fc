// API tokens: stored only as digests, found by their value, revoked for good, never the
// last admin; the admin token an installation starts with; the role each request needs.

#include "coordinator/store/token_store.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "coordinator/access/admin_token.h"
#include "coordinator/access/required_role.h"
#include "coordinator/store/audit_store.h"
#include "shared/text.h"
#include "tests/unit/coordinator/store_fixture.h"

using namespace fmg::coordinator;
using testing::kT0;

namespace {

std::string file_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Every text column of every row of api_tokens, joined: what a copy of the database shows.
std::string token_table_text(Database& db) {
    std::string all;
    auto query = db.prepare("SELECT name, role, digest, created_by FROM api_tokens");
    while (query.step()) {
        for (int column = 0; column < 4; ++column) all += query.text(column) + "|";
    }
    return all;
}

}  // namespace

TEST_CASE("a created token authenticates by its value, and only its digest is stored") {
    testing::Store store;
    auto issued = tokens::create(store.db, "deploy-bot", Role::trigger, "admin", kT0);
    CHECK(issued.token.rfind("fmg_", 0) == 0);
    CHECK(issued.token.size() == 4 + 64);

    auto found = tokens::authenticate(store.db, issued.token, kT0 + 5);
    REQUIRE(found);
    CHECK(found->id == issued.row.id);
    CHECK(found->name == "deploy-bot");
    CHECK(found->role == Role::trigger);
    CHECK(found->last_used_at == kT0 + 5);

    CHECK_FALSE(tokens::authenticate(store.db, issued.token + "x", kT0));
    CHECK_FALSE(tokens::authenticate(store.db, "", kT0));
    CHECK_FALSE(tokens::authenticate(store.db, issued.token.substr(0, 20), kT0));
    CHECK(token_table_text(store.db).find(issued.token) == std::string::npos);
    CHECK(token_table_text(store.db).find(issued.token.substr(4)) == std::string::npos);
}

TEST_CASE("a token's use is noted at most once a minute") {
    testing::Store store;
    auto issued = tokens::create(store.db, "viewer-1", Role::viewer, "admin", kT0);
    tokens::authenticate(store.db, issued.token, kT0 + 1'000);
    tokens::authenticate(store.db, issued.token, kT0 + 30'000);
    CHECK(tokens::find(store.db, issued.row.id)->last_used_at == kT0 + 1'000);
    tokens::authenticate(store.db, issued.token, kT0 + 61'000);
    CHECK(tokens::find(store.db, issued.row.id)->last_used_at == kT0 + 61'000);
}

TEST_CASE("a revoked token authenticates nothing, and the last admin token stays") {
    testing::Store store;
    auto admin = tokens::create(store.db, "admin", Role::admin, "first start", kT0);
    auto viewer = tokens::create(store.db, "reader", Role::viewer, "admin", kT0);

    CHECK(tokens::revoke(store.db, viewer.row.id, kT0 + 1) == tokens::Revoked::revoked);
    CHECK_FALSE(tokens::authenticate(store.db, viewer.token, kT0 + 2));
    CHECK(tokens::revoke(store.db, viewer.row.id, kT0 + 3) == tokens::Revoked::already);
    CHECK(tokens::find(store.db, viewer.row.id)->revoked_at == kT0 + 1);
    CHECK(tokens::revoke(store.db, 999, kT0) == tokens::Revoked::not_found);

    CHECK(tokens::revoke(store.db, admin.row.id, kT0) == tokens::Revoked::last_admin);
    CHECK(tokens::authenticate(store.db, admin.token, kT0));
    auto second = tokens::create(store.db, "admin-2", Role::admin, "admin", kT0);
    CHECK(tokens::revoke(store.db, admin.row.id, kT0) == tokens::Revoked::revoked);
    CHECK(tokens::revoke(store.db, second.row.id, kT0) == tokens::Revoked::last_admin);
    CHECK(tokens::has_active_admin(store.db));
}

TEST_CASE("token names are short and printable") {
    CHECK_FALSE(tokens::name_problem("deploy-bot"));
    CHECK_FALSE(tokens::name_problem("alice@example.com"));
    CHECK(tokens::name_problem(""));
    CHECK(tokens::name_problem(std::string(65, 'a')));
    CHECK(tokens::name_problem("two words"));
    CHECK(tokens::name_problem("line\nbreak"));
    CHECK(tokens::name_problem("semi;colon"));
}

TEST_CASE("the first start writes an admin token the database knows only by its digest") {
    testing::Store store;
    ensure_admin_token(store.db, store.dir.path(), kT0);
    auto file = store.dir.path() / "admin.token";
    struct stat info {};
    REQUIRE(::stat(file.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    std::string token(fmg::trim(file_text(file)));
    auto found = tokens::authenticate(store.db, token, kT0);
    REQUIRE(found);
    CHECK(found->role == Role::admin);
    CHECK(token_table_text(store.db).find(token) == std::string::npos);

    // Later starts change nothing, also once the operator deleted the file.
    std::filesystem::remove(file);
    ensure_admin_token(store.db, store.dir.path(), kT0 + 1);
    CHECK_FALSE(std::filesystem::exists(file));
    CHECK(tokens::all(store.db).size() == 1);
}

TEST_CASE("a data dir from before tokens keeps its admin token working") {
    testing::Store store;
    {
        std::ofstream out(store.dir.path() / "admin.token");
        out << "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n";
    }
    ensure_admin_token(store.db, store.dir.path(), kT0);
    auto found = tokens::authenticate(
        store.db, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", kT0);
    REQUIRE(found);
    CHECK(found->role == Role::admin);
    CHECK(tokens::all(store.db).size() == 1);
}

TEST_CASE("each API request needs the role its kind of change calls for") {
    using Path = std::vector<std::string>;
    auto api = [](std::initializer_list<std::string> rest) {
        Path path{"api", "v1"};
        path.insert(path.end(), rest);
        return path;
    };
    CHECK(required_role("GET", api({"pipelines"})) == Role::viewer);
    CHECK(required_role("GET", api({"pipelines", "3", "jobs", "build", "log"})) == Role::viewer);
    CHECK(required_role("GET", api({"runners"})) == Role::viewer);
    CHECK(required_role("POST", api({"pipelines"})) == Role::trigger);
    CHECK(required_role("POST", api({"pipelines", "3", "retry"})) == Role::trigger);
    CHECK(required_role("POST", api({"pipelines", "3", "cancel"})) == Role::trigger);
    CHECK(required_role("POST", api({"pipelines", "3", "jobs", "hold", "approve"})) ==
          Role::trigger);
    CHECK(required_role("POST", api({"runners"})) == Role::admin);
    CHECK(required_role("DELETE", api({"runners", "2"})) == Role::admin);
    CHECK(required_role("GET", api({"tokens"})) == Role::admin);
    CHECK(required_role("GET", api({"audit"})) == Role::admin);
    CHECK(required_role("GET", api({"contexts", "prod", "secrets"})) == Role::admin);
    CHECK(required_role("PUT", api({"contexts", "prod", "secrets", "KEY"})) == Role::admin);
    CHECK(required_role("DELETE", api({"pipelines", "3"})) == Role::admin);
    CHECK(role_allows(Role::admin, Role::trigger));
    CHECK_FALSE(role_allows(Role::viewer, Role::trigger));
}

TEST_CASE("the audit log lists the newest first and pages back") {
    testing::Store store;
    for (int i = 1; i <= 5; ++i) {
        audit::record(store.db, {0, kT0 + i, int64_t{1}, "admin", "admin", "POST /api/v1/runners",
                                 201, "runner " + std::to_string(i)});
    }
    auto newest = audit::recent(store.db, 2, std::nullopt);
    REQUIRE(newest.size() == 2);
    CHECK(newest[0].detail == "runner 5");
    CHECK(newest[1].detail == "runner 4");
    auto older = audit::recent(store.db, 10, newest[1].id);
    REQUIRE(older.size() == 3);
    CHECK(older[0].detail == "runner 3");
    CHECK(older[2].at == kT0 + 1);
}
