// The caches' records (store/cache_store.h): CircleCI's look-up (keys in order, each a prefix,
// the newest match), a key never replaced, a repeated save finding its own cache, parts that
// must be the attempt's own uploads, the size limit, and the scope of one repository.

#include "coordinator/store/cache_store.h"

#include <catch2/catch.hpp>

#include "store_fixture.h"

using namespace fmg;
using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;

namespace {

const std::string kShaA(64, 'a');
const std::string kShaB(64, 'b');
const std::string kShaC(64, 'c');
constexpr int64_t kNoLimit = int64_t{1} << 40;

/// An attempt of a job of a pipeline of `repo`.
AttemptId attempt_in(Store& store, const std::string& repo, const std::string& runner_name) {
    const PipelineId pipeline = add_pipeline(store.db, kT0, kSha, repo);
    const JobId job = add_job(store.db, pipeline, "build", 0);
    return start_job(store.db, job, add_runner(store.db, runner_name), kT0);
}

/// Records one uploaded part and saves it as `key`.
Result<caches::SaveOutcome> save_one(Store& store, AttemptId attempt, uint64_t upload,
                                     const std::string& key, const std::string& sha256,
                                     int64_t at) {
    caches::record_upload(store.db, {attempt, upload, sha256, 10, "~"}, at);
    return caches::save(store.db, kRepo, key, attempt, {upload}, kNoLimit, at);
}

}  // namespace

TEST_CASE("restore looks keys up in order, each a prefix, and takes the newest match") {
    Store store;
    const AttemptId attempt = attempt_in(store, kRepo, "r1");
    REQUIRE(save_one(store, attempt, 1, "deps-main-1", kShaA, kT0).value() ==
            caches::SaveOutcome::saved);
    REQUIRE(save_one(store, attempt, 2, "deps-main-2", kShaB, kT0 + 10).value() ==
            caches::SaveOutcome::saved);
    REQUIRE(save_one(store, attempt, 3, "deps-other", kShaC, kT0 + 20).value() ==
            caches::SaveOutcome::saved);

    auto found =
        caches::find_for_restore(store.db, kRepo, {"deps-feature-", "deps-main-"}, kT0 + 30);
    REQUIRE(found);
    CHECK(found->key == "deps-main-2");
    REQUIRE(found->parts.size() == 1);
    CHECK(found->parts[0].sha256 == kShaB);
    CHECK(found->parts[0].path == "~");
    CHECK(found->last_used_at == kT0 + 30);
    // The newest of all wins for a shorter prefix; an exact key matches itself.
    CHECK(caches::find_for_restore(store.db, kRepo, {"deps-"}, kT0)->key == "deps-other");
    CHECK(caches::find_for_restore(store.db, kRepo, {"deps-main-1"}, kT0)->key == "deps-main-1");
    CHECK_FALSE(caches::find_for_restore(store.db, kRepo, {"nothing"}, kT0));
    // Characters LIKE would treat as wildcards are only themselves.
    CHECK_FALSE(caches::find_for_restore(store.db, kRepo, {"deps_main"}, kT0));
    CHECK_FALSE(caches::find_for_restore(store.db, kRepo, {"deps%"}, kT0));
    CHECK(caches::find_exact(store.db, kRepo, "deps-main-1"));
    CHECK_FALSE(caches::find_exact(store.db, kRepo, "deps-main"));
}

TEST_CASE("a cache's key is never replaced, and a repeated save finds its own cache") {
    Store store;
    const AttemptId first = attempt_in(store, kRepo, "r1");
    const AttemptId second = attempt_in(store, kRepo, "r2");
    REQUIRE(save_one(store, first, 1, "deps", kShaA, kT0).value() == caches::SaveOutcome::saved);
    // The same attempt again (its answer was lost): stored, as it is.
    CHECK(caches::save(store.db, kRepo, "deps", first, {1}, kNoLimit, kT0 + 1).value() ==
          caches::SaveOutcome::saved);
    // Another attempt: the first cache stays.
    CHECK(save_one(store, second, 1, "deps", kShaB, kT0 + 2).value() ==
          caches::SaveOutcome::existed);
    auto kept = caches::find_exact(store.db, kRepo, "deps");
    REQUIRE(kept);
    CHECK(kept->parts.at(0).sha256 == kShaA);
    CHECK(caches::list(store.db, kRepo).size() == 1);
}

TEST_CASE("a cache is made only of the saving attempt's own uploads, within the size limit") {
    Store store;
    const AttemptId mine = attempt_in(store, kRepo, "r1");
    const AttemptId other = attempt_in(store, kRepo, "r2");
    caches::record_upload(store.db, {other, 1, kShaA, 10, "."}, kT0);
    CHECK(caches::upload_recorded(store.db, other, 1));
    CHECK_FALSE(caches::upload_recorded(store.db, mine, 1));
    auto stolen = caches::save(store.db, kRepo, "k", mine, {1}, kNoLimit, kT0);
    REQUIRE_FALSE(stolen);
    CHECK_THAT(stolen.error().message, Catch::Contains("not a stored part"));

    caches::record_upload(store.db, {mine, 1, kShaB, 600, "."}, kT0);
    caches::record_upload(store.db, {mine, 2, kShaC, 600, "~"}, kT0);
    auto too_big = caches::save(store.db, kRepo, "k", mine, {1, 2}, 1000, kT0);
    REQUIRE_FALSE(too_big);
    CHECK_THAT(too_big.error().message, Catch::Contains("--max-cache-size"));
    CHECK_FALSE(caches::find_exact(store.db, kRepo, "k"));
    REQUIRE(caches::save(store.db, kRepo, "k", mine, {2, 1}, 1200, kT0).ok());
    auto saved = caches::find_exact(store.db, kRepo, "k");
    REQUIRE(saved);
    CHECK(saved->size == 1200);
    REQUIRE(saved->parts.size() == 2);
    CHECK(saved->parts[0].path == "~");  // in the order the step named them
    CHECK(saved->parts[1].path == ".");
}

TEST_CASE("caches belong to one repository") {
    Store store;
    const AttemptId attempt = attempt_in(store, kRepo, "r1");
    REQUIRE(save_one(store, attempt, 1, "deps", kShaA, kT0).ok());
    CHECK_FALSE(caches::find_for_restore(store.db, "octo/other", {"deps"}, kT0));
    CHECK_FALSE(caches::find_exact(store.db, "octo/other", "deps"));
    CHECK(caches::repo_holds_blob(store.db, kRepo, kShaA));
    CHECK_FALSE(caches::repo_holds_blob(store.db, "octo/other", kShaA));
    CHECK_FALSE(caches::repo_holds_blob(store.db, kRepo, kShaB));
    CHECK(caches::list(store.db, "octo/other").empty());
    CHECK(caches::list(store.db, "").size() == 1);
}
