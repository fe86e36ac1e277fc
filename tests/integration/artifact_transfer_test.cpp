// Moving large artifacts through the real binaries: a 300 MiB artifact goes up and comes down
// byte for byte while the coordinator and the agent stay under their memory targets (the
// same 64 MiB as for logs, docs/performance.md); a coordinator killed in the middle of an
// upload and restarted on its data dir resumes it and loses nothing; and a blob store whose
// disk is full fails the new upload clearly while what it holds stays readable.

#include <sys/mount.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "shared/crypto.h"
#include "tests/support/cluster.h"
#include "tests/support/json.h"
#include "tests/support/raw_http.h"
#include "tests/support/wait.h"

using namespace fmg::testing;
using namespace std::chrono_literals;

namespace {

constexpr int64_t kMemoryTargetKib = 64 * 1024;

/// A config whose one job writes SIZE random bytes to big.bin, prints their SHA-256 after
/// "big: ", and stores the file.
std::string big_artifact_config(const std::string& size) {
    return R"yaml(version: 2.1
jobs:
  build:
    machine: true
    steps:
      - run: |
          head -c )yaml" +
           size + R"yaml( /dev/urandom > big.bin
          echo "big: $(sha256sum big.bin | cut -d' ' -f1)"
      - store_artifacts: {path: big.bin, destination: big.bin}
workflows:
  ci:
    jobs: [build]
)yaml";
}

/// Downloads the job's big.bin with `fmg artifacts --get` into the cluster's folder and
/// checks it is `sha` (the CLI checks it too).
void require_download(Cluster& cluster, int64_t id, const std::string& sha) {
    const auto file = cluster.dir() / "big.bin";
    auto got = cluster.fmg(
        {"artifacts", std::to_string(id), "build", "--get", "big.bin", "-o", file.string()}, 300s);
    INFO(got.out << got.err);
    REQUIRE(got.ok());
    CHECK(file_sha256(file) == sha);
    std::filesystem::remove(file);
}

/// Bytes of the largest partial upload file in the coordinator's blob store.
uint64_t largest_partial(const Cluster& cluster) {
    uint64_t largest = 0;
    std::error_code ec;
    for (const auto& entry :
         std::filesystem::directory_iterator(cluster.data_dir() / "blobs" / "uploads", ec)) {
        largest = std::max<uint64_t>(largest, entry.file_size(ec));
    }
    return largest;
}

}  // namespace

TEST_CASE("e2e: a 300 MiB artifact goes up and comes down byte for byte within 64 MiB of RSS") {
    Cluster cluster;
    Process& agent = cluster.start_runner("runner-1", machine_agent_options());
    GitRepo repo = cluster.make_repo();
    repo.write_config(big_artifact_config("314572800"));
    const int64_t id = cluster.push(repo, repo.commit("A big artifact"));
    const auto pipeline = cluster.wait_for_final(id, 300s);
    INFO("pipeline: " << to_json(pipeline));
    REQUIRE(string_field(pipeline, "status") == "success");
    const std::string log = cluster.job_log(id, "build");
    const std::string sha = printed_sha256(log, "big: ");
    REQUIRE(sha.size() == 64);
    CHECK_THAT(log, Catch::Contains("Uploaded big.bin (314572800 bytes)"));

    // Down through the CLI, to a file, checked by the CLI and here; and through the API.
    require_download(cluster, id, sha);
    auto body = cluster.api().get("/api/v1/pipelines/" + std::to_string(id) +
                                  "/jobs/build/artifacts/big.bin");
    REQUIRE(body.status == 200);
    CHECK(body.body.size() == 314572800);
    CHECK(fmg::crypto::sha256_hex(body.body) == sha);

    const int64_t coordinator_peak = process_memory_kib(cluster.coordinator().pid(), "VmHWM");
    const int64_t agent_peak = process_memory_kib(agent.pid(), "VmHWM");
    INFO("peak RSS: coordinator " << coordinator_peak / 1024 << " MiB, agent " << agent_peak / 1024
                                  << " MiB");
    CHECK(coordinator_peak > 0);
    CHECK(coordinator_peak <= kMemoryTargetKib);
    CHECK(agent_peak > 0);
    CHECK(agent_peak <= kMemoryTargetKib);
}

TEST_CASE("e2e: a coordinator killed mid-upload and restarted resumes it and loses nothing") {
    Cluster cluster;
    cluster.start_runner("runner-1", machine_agent_options());
    GitRepo repo = cluster.make_repo();
    repo.write_config(big_artifact_config("419430400"));
    const int64_t id = cluster.push(repo, repo.commit("A big artifact, interrupted"));
    cluster.wait_until(
        deadline_after(120s), [&] { return largest_partial(cluster) > 16 * 1024 * 1024; },
        "the upload has begun");
    cluster.kill_coordinator();
    const uint64_t held = largest_partial(cluster);
    INFO("the coordinator held " << held << " bytes when it was killed");
    REQUIRE(held > 0);
    REQUIRE(held < 419430400);  // killed mid-upload, not after
    cluster.restart_coordinator();

    const auto pipeline = cluster.wait_for_final(id, 300s);
    INFO("pipeline: " << to_json(pipeline));
    REQUIRE(string_field(pipeline, "status") == "success");
    const std::string log = cluster.job_log(id, "build");
    const std::string sha = printed_sha256(log, "big: ");
    REQUIRE(sha.size() == 64);
    CHECK_THAT(log, Catch::Contains("Uploaded big.bin (419430400 bytes)"));
    CHECK_THAT(cluster.coordinator().stderr_text(), Catch::Contains("resumes at byte"));
    auto listing =
        cluster.api().get("/api/v1/pipelines/" + std::to_string(id) + "/jobs/build/artifacts");
    const auto artifacts = object_array(listing.json(), "artifacts");
    REQUIRE(artifacts.size() == 1);
    CHECK(string_field(artifacts[0], "sha256") == sha);
    require_download(cluster, id, sha);
    CHECK(std::filesystem::is_empty(cluster.data_dir() / "blobs" / "uploads"));
}

TEST_CASE("e2e: a full blob store fails the new upload clearly, what it holds stays readable") {
    if (::geteuid() != 0) FAIL("this test needs root, to mount a small tmpfs as the blob store");
    Cluster cluster;
    cluster.start_runner("runner-1", machine_agent_options());
    // The blob store on an 8 MiB file system of its own (the coordinator made its folders at
    // start; they are made again on the new mount).
    const auto blobs = cluster.data_dir() / "blobs";
    REQUIRE(::mount("tmpfs", blobs.c_str(), "tmpfs", 0, "size=8m") == 0);
    struct Unmount {
        std::filesystem::path at;
        ~Unmount() { ::umount2(at.c_str(), MNT_DETACH); }
    } unmount{blobs};
    std::filesystem::create_directories(blobs / "sha256");
    std::filesystem::create_directories(blobs / "uploads");

    GitRepo repo = cluster.make_repo();
    repo.write_config(big_artifact_config("1048576"));
    const int64_t small = cluster.push(repo, repo.commit("A small artifact"));
    REQUIRE(string_field(cluster.wait_for_final(small), "status") == "success");

    repo.write_config(big_artifact_config("16777216"));
    const int64_t big = cluster.push(repo, repo.commit("Too big for the disk"));
    const auto pipeline = cluster.wait_for_final(big, 120s);
    INFO("pipeline: " << to_json(pipeline));
    CHECK(string_field(pipeline, "status") == "failed");
    CHECK_THAT(cluster.job_log(big, "build"),
               Catch::Contains("fmg: store_artifacts failed: uploading big.bin: the "
                               "coordinator's disk is full"));
    CHECK(std::filesystem::is_empty(blobs / "uploads"));  // the failed upload left nothing

    // What was stored before is whole.
    const std::string small_sha = printed_sha256(cluster.job_log(small, "build"), "big: ");
    auto body = cluster.api().get("/api/v1/pipelines/" + std::to_string(small) +
                                  "/jobs/build/artifacts/big.bin");
    REQUIRE(body.status == 200);
    CHECK(fmg::crypto::sha256_hex(body.body) == small_sha);
}
