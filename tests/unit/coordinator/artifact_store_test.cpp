// The artifacts' records (store/artifact_store.h): a job lists what its current attempt
// stored, by path; a later file at the same path replaces the earlier; an upload recorded
// once is known again (a repeated upload_end).

#include "coordinator/store/artifact_store.h"

#include <catch2/catch.hpp>

#include "coordinator/lifecycle/operations.h"
#include "store_fixture.h"

using namespace fmg;
using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;

namespace {

const std::string kShaA(64, 'a');
const std::string kShaB(64, 'b');

}  // namespace

TEST_CASE("a job lists the artifacts of its current attempt, by path") {
    Store store;
    const PipelineId pipeline = add_pipeline(store.db);
    const JobId job = add_job(store.db, pipeline, "build", 0);
    const RunnerId runner = add_runner(store.db, "runner-1");
    const AttemptId first = start_job(store.db, job, runner, kT0);

    artifacts::record(store.db, {first, 1, "reports/z.txt", kShaA, 10}, kT0);
    artifacts::record(store.db, {first, 2, "a.bin", kShaB, 20}, kT0);
    auto listed = artifacts::of_job(store.db, pipeline, "build");
    REQUIRE(listed.size() == 2);
    CHECK(listed[0].path == "a.bin");
    CHECK(listed[0].size == 20);
    CHECK(listed[1].path == "reports/z.txt");
    CHECK(listed[1].sha256 == kShaA);
    CHECK(artifacts::upload_recorded(store.db, first, 2));
    CHECK_FALSE(artifacts::upload_recorded(store.db, first, 3));

    // A later step storing the same path wins.
    artifacts::record(store.db, {first, 3, "a.bin", kShaA, 10}, kT0 + 1);
    auto found = artifacts::find(store.db, pipeline, "build", "a.bin");
    REQUIRE(found);
    CHECK(found->sha256 == kShaA);
    CHECK_FALSE(artifacts::find(store.db, pipeline, "build", "nope"));
    CHECK(artifacts::of_job(store.db, pipeline, "other").empty());

    // The job's runner was lost: its next attempt has stored nothing yet.
    lifecycle::lose_attempt(store.db, store.statuses, first, AttemptState::lost, "gone", 3,
                            kT0 + 2);
    const AttemptId second = start_job(store.db, job, runner, kT0 + 3);
    CHECK(second != first);
    CHECK(artifacts::of_job(store.db, pipeline, "build").empty());
    artifacts::record(store.db, {second, 1, "b.txt", kShaB, 5}, kT0 + 4);
    auto now_listed = artifacts::of_job(store.db, pipeline, "build");
    REQUIRE(now_listed.size() == 1);
    CHECK(now_listed[0].path == "b.txt");
}
