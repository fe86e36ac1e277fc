// Database: statements are compiled once per SQL text and reused; a reused statement starts
// with no bindings and no rows pending, two of the same SQL can be in use at once, and a
// statement left mid-read holds no read snapshot after it is gone.

#include "coordinator/store/database.h"

#include <catch2/catch.hpp>

#include "tests/unit/coordinator/store_fixture.h"

using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;

namespace {

int64_t count_rows(Database& db) {
    auto q = db.prepare("SELECT COUNT(*) FROM t");
    REQUIRE(q.step());
    return q.integer(0);
}

}  // namespace

TEST_CASE("database: reused statements start clean and can be nested") {
    TempDir dir;
    Database db(dir.path() / "t.db");
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)");
    for (int i = 1; i <= 3; ++i) {
        db.prepare("INSERT INTO t (id, name) VALUES (?, ?)")
            .bind(1, int64_t{i})
            .bind(2, "n" + std::to_string(i))
            .run();
    }
    // The same SQL again, with only the first parameter bound: the second is NULL, not the
    // value the previous use left.
    db.prepare("INSERT INTO t (id, name) VALUES (?, ?)").bind(1, int64_t{4}).run();
    auto four = db.prepare("SELECT name FROM t WHERE id = ?");
    four.bind(1, int64_t{4});
    REQUIRE(four.step());
    CHECK_FALSE(four.optional_text(0).has_value());

    // Two statements of the same SQL at once, the outer left mid-read.
    {
        auto outer = db.prepare("SELECT id FROM t ORDER BY id");
        REQUIRE(outer.step());
        CHECK(outer.integer(0) == 1);
        auto inner = db.prepare("SELECT id FROM t ORDER BY id");
        int64_t seen = 0;
        while (inner.step()) ++seen;
        CHECK(seen == 4);
        REQUIRE(outer.step());
        CHECK(outer.integer(0) == 2);
    }
    // Reused after being dropped mid-read: it starts from the first row.
    auto again = db.prepare("SELECT id FROM t ORDER BY id");
    REQUIRE(again.step());
    CHECK(again.integer(0) == 1);
}

TEST_CASE(
    "database: a statement dropped mid-read does not keep another connection's writes "
    "out of view") {
    TempDir dir;
    Database reader(dir.path() / "t.db");
    reader.exec("CREATE TABLE t (id INTEGER PRIMARY KEY)");
    Database writer(dir.path() / "t.db");
    writer.prepare("INSERT INTO t (id) VALUES (1)").run();
    {
        auto partial = reader.prepare("SELECT id FROM t");
        REQUIRE(partial.step());  // a read snapshot is open while this is mid-read
    }
    writer.prepare("INSERT INTO t (id) VALUES (2)").run();
    CHECK(count_rows(reader) == 2);
    // Transactions use cached BEGIN/COMMIT statements too.
    writer.transaction([&] { writer.prepare("INSERT INTO t (id) VALUES (3)").run(); });
    CHECK(count_rows(reader) == 3);
}
