// The GitHub status outbox (what is due, retried later, removed once sent) and the record of
// webhook deliveries that makes a redelivery get the first answer again.

#include <catch2/catch.hpp>
#include <string>

#include "coordinator/store/outbox_store.h"
#include "tests/unit/coordinator/store_fixture.h"

using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;

namespace {

outbox::NewStatus status_for(const std::string& job, const std::string& state) {
    return {kRepo, kSha, "fmg/" + job, state, "Job " + job + " is " + state, target_url_of(1)};
}

}  // namespace

TEST_CASE("statuses are due oldest first, from the time they were added") {
    Store store;
    CHECK(outbox::due(store.db, kT0, 10).empty());
    CHECK(outbox::next_due(store.db) == std::nullopt);

    outbox::add(store.db, status_for("build", "pending"), kT0 + 100);
    outbox::add(store.db, status_for("test", "pending"), kT0 + 50);
    outbox::add(store.db, status_for("build", "success"), kT0 + 200);

    CHECK(outbox::next_due(store.db) == kT0 + 50);
    CHECK(outbox::due(store.db, kT0 + 49, 10).empty());
    auto due = outbox::due(store.db, kT0 + 150, 10);
    REQUIRE(due.size() == 2);
    // Oldest first by insertion, so a job's pending never overtakes its end state.
    CHECK(due[0].context == "fmg/build");
    CHECK(due[0].state == "pending");
    CHECK(due[1].context == "fmg/test");
    auto limited = outbox::due(store.db, kT0 + 1000, 1);
    REQUIRE(limited.size() == 1);
    CHECK(limited[0].state == "pending");

    const OutboxRow& row = due[0];
    CHECK(row.repo == kRepo);
    CHECK(row.sha == kSha);
    CHECK(row.description == "Job build is pending");
    CHECK(row.target_url == target_url_of(1));
    CHECK(row.tries == 0);
    CHECK(row.next_try_at == kT0 + 100);
}

TEST_CASE("a status that failed to send is retried later and a sent one is removed") {
    Store store;
    outbox::add(store.db, status_for("build", "pending"), kT0);
    outbox::add(store.db, status_for("build", "success"), kT0 + 10);
    auto rows = outbox::due(store.db, kT0 + 10, 10);
    REQUIRE(rows.size() == 2);

    outbox::reschedule(store.db, rows[0].id, kT0 + 2000, "HTTP 502 from api.github.com");
    CHECK(outbox::next_due(store.db) == kT0 + 10);
    auto now_due = outbox::due(store.db, kT0 + 1000, 10);
    REQUIRE(now_due.size() == 1);
    CHECK(now_due[0].id == rows[1].id);

    outbox::remove(store.db, rows[1].id);
    CHECK(outbox::next_due(store.db) == kT0 + 2000);
    CHECK(outbox::due(store.db, kT0 + 1999, 10).empty());
    auto retried = outbox::due(store.db, kT0 + 2000, 10);
    REQUIRE(retried.size() == 1);
    CHECK(retried[0].id == rows[0].id);
    CHECK(retried[0].tries == 1);
    CHECK(retried[0].next_try_at == kT0 + 2000);

    outbox::reschedule(store.db, rows[0].id, kT0 + 6000, "timeout");
    CHECK(outbox_rows(store.db).at(0).tries == 2);

    outbox::remove(store.db, rows[0].id);
    CHECK(outbox::next_due(store.db) == std::nullopt);
    CHECK(outbox_rows(store.db).empty());
}

TEST_CASE("statuses survive a restart of the coordinator") {
    TempDir dir;
    {
        Database db(dir.path() / "fmg.db");
        migrate(db);
        outbox::add(db, status_for("build", "failure"), kT0);
    }
    Database reopened(dir.path() / "fmg.db");
    migrate(reopened);
    auto rows = outbox_rows(reopened);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].state == "failure");
}

TEST_CASE("a webhook delivery's first answer is kept and found again") {
    Store store;
    CHECK_FALSE(deliveries::find(store.db, "72d3162e-cc78-11e3-81ab-4c9367dc0958").has_value());

    deliveries::record(store.db, "72d3162e-cc78-11e3-81ab-4c9367dc0958",
                       {202, R"({"pipeline_id":7})"}, kT0);
    auto found = deliveries::find(store.db, "72d3162e-cc78-11e3-81ab-4c9367dc0958");
    REQUIRE(found.has_value());
    CHECK(found->status_code == 202);
    CHECK(found->body == R"({"pipeline_id":7})");

    // Recording the same delivery again keeps the first answer.
    deliveries::record(store.db, "72d3162e-cc78-11e3-81ab-4c9367dc0958",
                       {200, R"({"ignored":"again"})"}, kT0 + 1);
    found = deliveries::find(store.db, "72d3162e-cc78-11e3-81ab-4c9367dc0958");
    REQUIRE(found.has_value());
    CHECK(found->status_code == 202);
    CHECK(found->body == R"({"pipeline_id":7})");

    CHECK_FALSE(deliveries::find(store.db, "72d3162e-cc78-11e3-81ab-4c9367dc0959").has_value());
}
