// The scheduler's read of the queue (pipelines::queued_jobs_offered): in queue order, from a
// place in it, without the jobs that need a label no free runner offers.

#include <catch2/catch.hpp>

#include "tests/unit/coordinator/store_fixture.h"

using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;

namespace {

void add_needing(Database& db, PipelineId pipeline, const std::string& name, int64_t position,
                 std::vector<std::string> labels) {
    pipelines::insert_job(db, pipeline,
                          {.name = name,
                           .position = position,
                           .status = JobState::queued,
                           .required_jobs = {},
                           .spec = sample_spec(),
                           .needed_labels = std::move(labels)},
                          kT0);
}

std::vector<std::string> names(const std::vector<JobRow>& rows) {
    std::vector<std::string> out;
    for (const JobRow& row : rows) out.push_back(row.name);
    return out;
}

}  // namespace

TEST_CASE("the queue offered to free runners leaves out jobs needing labels none of them has") {
    Store store;
    const PipelineId first = add_pipeline(store.db);
    add_needing(store.db, first, "mac", 0, {"macos"});
    add_needing(store.db, first, "plain", 1, {});
    add_needing(store.db, first, "big-machine", 2, {"machine", "large"});
    const PipelineId second = add_pipeline(store.db);
    add_needing(store.db, second, "large", 0, {"large"});
    add_needing(store.db, second, "other", 1, {});

    using Names = std::vector<std::string>;
    CHECK(names(pipelines::queued_jobs_offered(store.db, {}, std::nullopt, 10)) ==
          Names{"plain", "other"});
    CHECK(names(pipelines::queued_jobs_offered(store.db, {"large"}, std::nullopt, 10)) ==
          Names{"plain", "large", "other"});
    // Offered together (by one runner or by two: the scheduler tells those apart).
    CHECK(names(pipelines::queued_jobs_offered(store.db, {"large", "machine"}, std::nullopt, 10)) ==
          Names{"plain", "big-machine", "large", "other"});
    CHECK(names(pipelines::queued_jobs_offered(store.db, {"macos"}, std::nullopt, 1)) ==
          Names{"mac"});
    // From a place in the queue on, across pipelines.
    CHECK(names(pipelines::queued_jobs_offered(store.db, {"macos", "large"},
                                               pipelines::QueuePlace{first, 1}, 10)) ==
          Names{"large", "other"});
    // Stored and read back as written.
    CHECK(job_named(store.db, first, "big-machine").needed_labels == Names{"machine", "large"});
}
