// Retention and the store's quota through the real binaries: after their days, artifacts and
// caches are evicted at the coordinator's sweep (its test clock moved forward across a
// restart), their blobs deleted, and `fmg evictions` says what went and why; over
// --store-quota the least recently used cache makes room, and an upload that cannot fit fails
// its step clearly while what is stored stays readable.

#include <catch2/catch.hpp>

#include "shared/clock.h"
#include "tests/support/cluster.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

constexpr int64_t kDayMs = 24LL * 60 * 60 * 1000;

size_t blob_files(const std::filesystem::path& data_dir) {
    size_t count = 0;
    const auto root = data_dir / "blobs" / "sha256";
    if (!std::filesystem::exists(root)) return 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
        if (entry.is_regular_file()) ++count;
    }
    return count;
}

/// Pushes the commit and waits for its pipeline to end; the pipeline.
Poco::JSON::Object::Ptr run(Cluster& cluster, const GitRepo& repo, const std::string& sha) {
    const int64_t id = cluster.push(repo, sha);
    return cluster.wait_for_final(id);
}

}  // namespace

TEST_CASE("e2e: artifacts and caches past their retention are evicted, and fmg says why") {
    Cluster cluster;
    cluster.start_runner("runner-1", machine_agent_options());
    GitRepo repo = cluster.make_repo();
    repo.write_config(R"yaml(version: 2.1
jobs:
  build:
    machine: true
    steps:
      - run: mkdir -p out deps && echo "report" > out/report.txt && echo "dep" > deps/d.txt
      - store_artifacts: {path: out/report.txt}
      - save_cache: {key: deps-v1, paths: [deps]}
workflows:
  ci:
    jobs: [build]
)yaml");
    const auto pipeline = run(cluster, repo, repo.commit("Keep things"));
    INFO("pipeline: " << to_json(pipeline));
    REQUIRE(string_field(pipeline, "status") == "success");
    const int64_t id = int_field(pipeline, "id");
    const std::string artifact =
        "/api/v1/pipelines/" + std::to_string(id) + "/jobs/build/artifacts/out/report.txt";
    REQUIRE(cluster.api().get(artifact).status == 200);
    REQUIRE(blob_files(cluster.data_dir()) == 2);
    auto before = cluster.fmg({"evictions"});
    CHECK(before.ok());
    CHECK_THAT(before.err, Catch::Contains("nothing was evicted"));

    // 40 days later (the coordinator's test clock; the sweep runs at start-up).
    const int64_t later = fmg::SystemClock().wall_ms() + 40 * kDayMs;
    cluster.kill_coordinator();
    cluster.restart_coordinator({{"FMG_TEST_WALL_CLOCK_MS", std::to_string(later)}});
    cluster.wait_until(
        deadline_after(std::chrono::seconds(30)),
        [&] { return blob_files(cluster.data_dir()) == 0; },
        "the evicted files' blobs are deleted");
    CHECK(cluster.api().get(artifact).status == 404);
    const auto caches = cluster.api().get("/api/v1/caches");
    CHECK(object_array(caches.json(), "caches").empty());

    auto listed = cluster.fmg({"evictions", "--pipeline", std::to_string(id)});
    INFO("fmg evictions: " << listed.out << listed.err);
    REQUIRE(listed.ok());
    CHECK_THAT(listed.out, Catch::Contains("artifact  octo/demo #" + std::to_string(id) +
                                           " build  out/report.txt"));
    CHECK_THAT(listed.out,
               Catch::Contains("stored more than 30 days ago (--artifact-retention-days)"));
    auto all = cluster.fmg({"evictions"});
    CHECK_THAT(all.out, Catch::Contains("cache  octo/demo  deps-v1"));
    CHECK_THAT(all.out, Catch::Contains("not used for 15 days (--cache-retention-days)"));
}

TEST_CASE("e2e: over --store-quota the least recently used cache goes, and what cannot fit fails") {
    ClusterOptions options;
    options.coordinator_args = {"--store-quota", std::to_string(5 * 1024 * 1024)};
    Cluster cluster(options);
    cluster.start_runner("runner-1", machine_agent_options());
    GitRepo repo = cluster.make_repo();
    // Each pipeline saves 3 MiB of random bytes under its own key: two do not fit in 5 MiB.
    auto config = [](const std::string& key) {
        return R"yaml(version: 2.1
jobs:
  build:
    machine: true
    steps:
      - run: mkdir -p deps && head -c 3145728 /dev/urandom > deps/blob
      - save_cache: {key: )yaml" +
               key + R"yaml(, paths: [deps]}
workflows:
  ci:
    jobs: [build]
)yaml";
    };
    repo.write_config(config("first"));
    auto first = run(cluster, repo, repo.commit("First cache"));
    REQUIRE(string_field(first, "status") == "success");
    repo.write_config(config("second"));
    auto second = run(cluster, repo, repo.commit("Second cache"));
    INFO("second: " << to_json(second));
    REQUIRE(string_field(second, "status") == "success");

    const auto caches = object_array(cluster.api().get("/api/v1/caches").json(), "caches");
    REQUIRE(caches.size() == 1);
    CHECK(string_field(caches[0], "key") == "second");
    auto evictions = cluster.fmg({"evictions"});
    CHECK_THAT(evictions.out, Catch::Contains("cache  octo/demo  first"));
    CHECK_THAT(evictions.out, Catch::Contains("least recently used while the store was over its "
                                              "quota of 5242880 bytes (--store-quota)"));

    // An artifact larger than the whole quota cannot fit: its step fails saying so. (The
    // coordinator learns an upload's size only as its bytes come, so the cache was evicted
    // first, while the artifact still looked as if it would fit.)
    repo.write_config(R"yaml(version: 2.1
jobs:
  build:
    machine: true
    steps:
      - run: head -c 6291456 /dev/urandom > big.bin
      - store_artifacts: {path: big.bin}
workflows:
  ci:
    jobs: [build]
)yaml");
    auto third = run(cluster, repo, repo.commit("Too big"));
    INFO("third: " << to_json(third));
    CHECK(string_field(third, "status") == "failed");
    const std::string log = cluster.job_log(int_field(third, "id"), "build");
    CHECK_THAT(log, Catch::Contains("the coordinator's store is full"));
    CHECK_THAT(log, Catch::Contains("(--store-quota)"));
}
