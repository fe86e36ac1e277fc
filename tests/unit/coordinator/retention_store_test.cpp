// Retention and the quota (store/retention_store.h): files past their days go with an
// eviction saying why, caches go by last use, blobs nothing refers to are released (and only
// those), and the quota evicts least recently used caches, never one a running job found.

#include "coordinator/store/retention_store.h"

#include <catch2/catch.hpp>

#include "coordinator/store/artifact_store.h"
#include "coordinator/store/cache_store.h"
#include "coordinator/store/workspace_store.h"
#include "store_fixture.h"

using namespace fmg;
using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;

namespace {

const std::string kShaA(64, 'a');
const std::string kShaB(64, 'b');
const std::string kShaC(64, 'c');
constexpr int64_t kDay = 24LL * 60 * 60 * 1000;

struct Fixture {
    Store store;
    PipelineId pipeline = add_pipeline(store.db);
    JobId job = add_job(store.db, pipeline, "build", 0);
    AttemptId attempt = start_job(store.db, job, add_runner(store.db, "r1"), kT0);

    /// Saves the cache `key` of one part of `size` bytes, stored and last used at `at`.
    int64_t cache(uint64_t upload, const std::string& key, const std::string& sha256, int64_t size,
                  int64_t at) {
        caches::record_upload(store.db, {attempt, upload, sha256, size, "."}, at);
        REQUIRE(caches::save(store.db, kRepo, key, attempt, {upload}, int64_t{1} << 40, at).ok());
        return caches::find_exact(store.db, kRepo, key)->id;
    }
};

bool blob_recorded(Database& db, const std::string& sha256) {
    auto query = db.prepare("SELECT 1 FROM blobs WHERE sha256 = ?");
    query.bind(1, sha256);
    return query.step();
}

}  // namespace

TEST_CASE("files past their retention are evicted with the reason, and only those") {
    Fixture f;
    artifacts::record(f.store.db, {f.attempt, 1, "old.txt", kShaA, 10}, kT0);
    artifacts::record(f.store.db, {f.attempt, 2, "new.txt", kShaB, 20}, kT0 + 20 * kDay);
    workspaces::record_layer(f.store.db, {f.attempt, 3, kShaC, 30, "out"}, kT0);
    const retention::Policy policy{30, 15, 15};

    CHECK(retention::expire(f.store.db, policy, kT0 + 10 * kDay) == 0);
    CHECK(retention::expire(f.store.db, policy, kT0 + 31 * kDay) == 2);  // old.txt, the layer
    auto listed = artifacts::of_job(f.store.db, f.pipeline, "build");
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].path == "new.txt");
    CHECK(workspaces::layers_for(f.store.db, *pipelines::find_job(f.store.db, f.job)).empty());

    auto evicted = retention::evictions(f.store.db, f.pipeline, 10);
    REQUIRE(evicted.size() == 2);
    for (const auto& row : evicted) {
        CHECK(row.repo == kRepo);
        CHECK(row.job == std::optional<std::string>("build"));
        CHECK(row.evicted_at == kT0 + 31 * kDay);
        if (row.kind == "artifact") {
            CHECK(row.name == "old.txt");
            CHECK(row.size == 10);
            CHECK(row.reason == "stored more than 30 days ago (--artifact-retention-days)");
        } else {
            CHECK(row.kind == "workspace_layer");
            CHECK(row.name == "out");
            CHECK(row.reason == "stored more than 15 days ago (--workspace-retention-days)");
        }
    }
    CHECK(retention::evictions(f.store.db, f.pipeline + 1, 10).empty());

    // Their blobs are released; the one still referred to is kept.
    auto released = retention::release_unreferenced(f.store.db);
    std::sort(released.begin(), released.end());
    CHECK(released == std::vector<std::string>{kShaA, kShaC});
    CHECK(blob_recorded(f.store.db, kShaB));
    CHECK_FALSE(blob_recorded(f.store.db, kShaA));
    CHECK(retention::release_unreferenced(f.store.db).empty());

    // Zero days: forever.
    CHECK(retention::expire(f.store.db, {0, 0, 0}, kT0 + 9000 * kDay) == 0);
}

TEST_CASE("caches go when unused for their days, counted from their last use") {
    Fixture f;
    f.cache(1, "used", kShaA, 10, kT0);
    f.cache(2, "idle", kShaB, 10, kT0);
    CHECK(caches::find_for_restore(f.store.db, kRepo, {"used"}, kT0 + 10 * kDay));
    CHECK(retention::expire(f.store.db, {30, 15, 15}, kT0 + 16 * kDay) == 1);
    CHECK(caches::find_exact(f.store.db, kRepo, "used"));
    CHECK_FALSE(caches::find_exact(f.store.db, kRepo, "idle"));
    auto evicted = retention::evictions(f.store.db, std::nullopt, 10);
    REQUIRE(evicted.size() == 1);
    CHECK(evicted[0].kind == "cache");
    CHECK(evicted[0].name == "idle");
    CHECK_FALSE(evicted[0].pipeline_id);
    CHECK(evicted[0].reason == "not used for 15 days (--cache-retention-days)");
}

TEST_CASE("a blob one record still names survives the release of another's") {
    Fixture f;
    artifacts::record(f.store.db, {f.attempt, 1, "same.bin", kShaA, 10}, kT0);
    f.cache(2, "same-bytes", kShaA, 10, kT0 + 40 * kDay);
    CHECK(retention::expire(f.store.db, {30, 15, 15}, kT0 + 40 * kDay) == 1);
    CHECK(retention::release_unreferenced(f.store.db).empty());
    CHECK(blob_recorded(f.store.db, kShaA));
}

TEST_CASE("over the quota the least recently used caches go, never one a job found") {
    Fixture f;
    f.cache(1, "oldest", kShaA, 400, kT0);
    f.cache(2, "middle", kShaB, 400, kT0 + 1);
    f.cache(3, "newest", kShaC, 400, kT0 + 2);
    CHECK(retention::stored_bytes(f.store.db) == 1200);

    // 500 more bytes within 1500: the least recently used one is not in use, it goes.
    auto room = retention::make_room(f.store.db, 1500, 500, {}, kT0 + 3);
    CHECK(room.fits);
    CHECK(room.released == std::vector<std::string>{kShaA});
    CHECK_FALSE(caches::find_exact(f.store.db, kRepo, "oldest"));
    CHECK(retention::stored_bytes(f.store.db) == 800);
    auto evicted = retention::evictions(f.store.db, std::nullopt, 10);
    REQUIRE(evicted.size() == 1);
    CHECK(evicted[0].reason ==
          "least recently used while the store was over its quota of 1500 bytes (--store-quota)");

    // Both left are in use: nothing can go, and 1000 bytes do not fit.
    const int64_t middle = caches::find_exact(f.store.db, kRepo, "middle")->id;
    const int64_t newest = caches::find_exact(f.store.db, kRepo, "newest")->id;
    auto none = retention::make_room(f.store.db, 1500, 1000, {middle, newest}, kT0 + 4);
    CHECK_FALSE(none.fits);
    CHECK(retention::stored_bytes(f.store.db) == 800);
}
