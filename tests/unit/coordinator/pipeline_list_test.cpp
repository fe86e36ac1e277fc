// What `GET /api/v1/pipelines?limit=&status=&repo=&sha=` (and `fmg list`) reads: newest
// first, filtered, with the total that matched regardless of the limit.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/unit/coordinator/store_fixture.h"

using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;

namespace {

constexpr const char* kOtherSha = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";

std::vector<PipelineId> ids_of(const std::vector<PipelineRow>& rows) {
    std::vector<PipelineId> ids;
    for (const auto& row : rows) ids.push_back(row.id);
    return ids;
}

struct Listed {
    Store store;
    std::vector<PipelineId> ids;

    // #1 hello success, #2 hello failed (other sha), #3 other repo success,
    // #4 hello running, #5 hello success.
    Listed() {
        ids.push_back(add_pipeline(store.db, kT0 + 1));
        ids.push_back(add_pipeline(store.db, kT0 + 2, kOtherSha));
        ids.push_back(add_pipeline(store.db, kT0 + 3, kSha, "octo/other"));
        ids.push_back(add_pipeline(store.db, kT0 + 4));
        ids.push_back(add_pipeline(store.db, kT0 + 5));
        pipelines::set_status(store.db, ids[0], PipelineState::queued, PipelineState::success,
                              std::nullopt, kT0, kT0 + 10);
        pipelines::set_status(store.db, ids[1], PipelineState::queued, PipelineState::failed,
                              std::nullopt, kT0, kT0 + 10);
        pipelines::set_status(store.db, ids[2], PipelineState::queued, PipelineState::success,
                              std::nullopt, kT0, kT0 + 10);
        pipelines::set_status(store.db, ids[3], PipelineState::queued, PipelineState::running,
                              std::nullopt, kT0, std::nullopt);
        pipelines::set_status(store.db, ids[4], PipelineState::queued, PipelineState::success,
                              std::nullopt, kT0, kT0 + 10);
    }

    std::pair<int64_t, std::vector<PipelineId>> list(const pipelines::ListFilter& filter) {
        auto [total, rows] = pipelines::list(store.db, filter);
        return {total, ids_of(rows)};
    }
};

}  // namespace

TEST_CASE("pipelines are listed newest first, the total ignoring the limit") {
    Listed listed;
    const auto& id = listed.ids;

    auto [total, all] = listed.list({});
    CHECK(total == 5);
    CHECK(all == std::vector<PipelineId>{id[4], id[3], id[2], id[1], id[0]});

    auto [limited_total, limited] = listed.list({2, std::nullopt, std::nullopt, std::nullopt});
    CHECK(limited_total == 5);
    CHECK(limited == std::vector<PipelineId>{id[4], id[3]});

    auto rows = pipelines::list(listed.store.db, {1, std::nullopt, std::nullopt, std::nullopt});
    REQUIRE(rows.second.size() == 1);
    CHECK(rows.second[0].repo == kRepo);
    CHECK(rows.second[0].sha == kSha);
    CHECK(rows.second[0].status == PipelineState::success);
    CHECK(rows.second[0].created_at == kT0 + 5);
    CHECK(rows.second[0].finished_at == kT0 + 10);
}

TEST_CASE("pipelines are filtered by status, repo and sha prefix, together") {
    Listed listed;
    const auto& id = listed.ids;

    auto [succeeded_total, succeeded] =
        listed.list({20, PipelineState::success, std::nullopt, std::nullopt});
    CHECK(succeeded_total == 3);
    CHECK(succeeded == std::vector<PipelineId>{id[4], id[2], id[0]});

    auto [repo_total, by_repo] = listed.list({20, std::nullopt, "octo/other", std::nullopt});
    CHECK(repo_total == 1);
    CHECK(by_repo == std::vector<PipelineId>{id[2]});

    // The short sha users copy from `git log --oneline`, and the full one.
    auto [prefix_total, by_prefix] = listed.list({20, std::nullopt, std::nullopt, "a1b2c3d"});
    CHECK(prefix_total == 1);
    CHECK(by_prefix == std::vector<PipelineId>{id[1]});
    auto [full_total, by_full] = listed.list({20, std::nullopt, std::nullopt, kOtherSha});
    CHECK(full_total == 1);
    CHECK(by_full == std::vector<PipelineId>{id[1]});

    auto [both_total, both] = listed.list({1, PipelineState::success, kRepo, "0d1a26e"});
    CHECK(both_total == 2);
    CHECK(both == std::vector<PipelineId>{id[4]});

    auto [none_total, none] =
        listed.list({20, PipelineState::cancelled, std::nullopt, std::nullopt});
    CHECK(none_total == 0);
    CHECK(none.empty());
    auto [unknown_total, unknown] = listed.list({20, std::nullopt, "octo", std::nullopt});
    CHECK(unknown_total == 0);  // a repo is matched whole, not by prefix
    CHECK(unknown.empty());
}
