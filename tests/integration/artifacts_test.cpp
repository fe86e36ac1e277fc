// store_artifacts through the real binaries: the agent archives the step's path in the job
// (shell runner: on the host; docker runner: from the container through Docker's archive
// API), uploads each file over its authenticated channel, and the coordinator stores it in
// its blob store; the REST API lists the artifacts and serves their bytes (whole and by
// range), and `fmg artifacts` lists and downloads them, checked byte for byte.

#include <catch2/catch.hpp>

#include "shared/crypto.h"
#include "tests/support/cluster.h"
#include "tests/support/json.h"
#include "tests/support/wait.h"

using namespace fmg::testing;

namespace {

Poco::JSON::Object::Ptr artifact_named(const Poco::JSON::Object::Ptr& listing,
                                       const std::string& path) {
    for (const auto& item : object_array(listing, "artifacts")) {
        if (string_field(item, "path") == path) return item;
    }
    return nullptr;
}

}  // namespace

TEST_CASE("e2e: store_artifacts on a shell runner: listed, downloaded whole and by range") {
    Cluster cluster;
    cluster.start_runner("runner-1", machine_agent_options());
    GitRepo repo = cluster.make_repo();
    repo.write_config(R"yaml(version: 2.1
jobs:
  build:
    machine: true
    steps:
      - run: |
          mkdir -p out/sub
          printf 'all tests passed\n' > out/report.txt
          head -c 3145728 /dev/urandom > out/sub/data.bin
          ln -s /etc/passwd out/passwd
          echo "data: $(sha256sum out/sub/data.bin | cut -d' ' -f1)"
      - store_artifacts: {path: out, destination: reports}
      - store_artifacts: {path: out/report.txt}
      - store_artifacts: {path: nothing-here}
workflows:
  ci:
    jobs: [build]
)yaml");
    const std::string sha = repo.commit("Keep the reports");
    const int64_t id = cluster.push(repo, sha);
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    REQUIRE(string_field(pipeline, "status") == "success");
    const std::string log = cluster.job_log(id, "build");
    INFO("log: " << log);
    CHECK_THAT(log, Catch::Contains("Uploaded reports/report.txt (17 bytes)"));
    CHECK_THAT(log, Catch::Contains("Uploaded reports/sub/data.bin (3145728 bytes)"));
    CHECK_THAT(log, Catch::Contains("Skipped reports/passwd: a symbolic link (to /etc/passwd)"));
    CHECK_THAT(log, Catch::Contains("Uploaded out/report.txt (17 bytes)"));
    CHECK_THAT(log, Catch::Contains("No artifact files found at nothing-here"));
    const std::string data_sha = printed_sha256(log, "data: ");
    REQUIRE(data_sha.size() == 64);

    const std::string base = "/api/v1/pipelines/" + std::to_string(id) + "/jobs/build/artifacts";
    auto listing = cluster.api().get(base);
    REQUIRE(listing.status == 200);
    INFO("listing: " << listing.body);
    REQUIRE(object_array(listing.json(), "artifacts").size() == 3);
    auto data = artifact_named(listing.json(), "reports/sub/data.bin");
    REQUIRE(data);
    CHECK(int_field(data, "size") == 3145728);
    CHECK(string_field(data, "sha256") == data_sha);

    // The bytes, whole: what the job wrote.
    auto whole = cluster.api().get(base + "/reports/sub/data.bin");
    REQUIRE(whole.status == 200);
    CHECK(whole.content_type == "application/octet-stream");
    CHECK(whole.body.size() == 3145728);
    CHECK(fmg::crypto::sha256_hex(whole.body) == data_sha);
    auto report = cluster.api().get(base + "/reports/report.txt");
    CHECK(report.status == 200);
    CHECK(report.body == "all tests passed\n");
    CHECK(report.content_type == "text/plain; charset=utf-8");
    // By range: the same bytes as the slice of the whole.
    auto slice = cluster.api().request("GET", base + "/reports/sub/data.bin", "",
                                       {{"Range", "bytes=1000000-1000099"}});
    CHECK(slice.status == 206);
    CHECK(slice.body == whole.body.substr(1000000, 100));
    auto tail =
        cluster.api().request("GET", base + "/reports/report.txt", "", {{"Range", "bytes=-7"}});
    CHECK(tail.status == 206);
    CHECK(tail.body == "passed\n");
    auto past =
        cluster.api().request("GET", base + "/reports/report.txt", "", {{"Range", "bytes=500-"}});
    CHECK(past.status == 416);
    CHECK(cluster.api().get(base + "/reports/nope.txt").status == 404);
    CHECK(cluster.api().get(base + "/reports/passwd").status == 404);
    CHECK(cluster.api()
              .get("/api/v1/pipelines/" + std::to_string(id) + "/jobs/nope/artifacts")
              .status == 404);

    // The CLI lists them and downloads one, checked against the listing.
    auto listed = cluster.fmg({"artifacts", std::to_string(id), "build"});
    INFO(listed.out << listed.err);
    REQUIRE(listed.ok());
    CHECK_THAT(listed.out, Catch::Contains("reports/sub/data.bin  3145728  " + data_sha));
    CHECK_THAT(listed.out, Catch::Contains("out/report.txt  17  "));
    const auto file = cluster.dir() / "data.bin";
    auto got = cluster.fmg({"artifacts", std::to_string(id), "build", "--get",
                            "reports/sub/data.bin", "-o", file.string()});
    INFO(got.out << got.err);
    REQUIRE(got.ok());
    CHECK(fmg::crypto::sha256_hex(read_file_text(file)) == data_sha);
    auto to_stdout =
        cluster.fmg({"artifacts", std::to_string(id), "build", "--get", "reports/report.txt"});
    CHECK(to_stdout.ok());
    CHECK(to_stdout.out == "all tests passed\n");
    auto missing = cluster.fmg({"artifacts", std::to_string(id), "build", "--get", "x.txt"});
    CHECK(missing.status.exited_with(4));
    CHECK_THAT(missing.err, Catch::Contains("has no artifact x.txt"));
}

TEST_CASE("e2e: store_artifacts on a docker runner reads the files from the job's container") {
    Cluster cluster;
    cluster.start_runner("runner-1");
    GitRepo repo = cluster.make_repo();
    repo.write_config(R"(version: 2
jobs:
  build:
    docker: [{image: fmg/busybox:latest}]
    steps:
      - run: mkdir -p /tmp/site/css && echo '<h1>hi</h1>' > /tmp/site/index.html && echo 'p{}' > /tmp/site/css/a.css
      - store_artifacts: {path: /tmp/site}
)");
    const std::string sha = repo.commit("Keep the site");
    const int64_t id = cluster.push(repo, sha);
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    REQUIRE(string_field(pipeline, "status") == "success");
    const std::string base = "/api/v1/pipelines/" + std::to_string(id) + "/jobs/build/artifacts";
    auto listing = cluster.api().get(base);
    INFO("listing: " << listing.body);
    REQUIRE(object_array(listing.json(), "artifacts").size() == 2);
    auto page = cluster.api().get(base + "/tmp/site/index.html");
    CHECK(page.status == 200);
    CHECK(page.body == "<h1>hi</h1>\n");
    CHECK(page.content_type == "text/html; charset=utf-8");
    CHECK(cluster.api().get(base + "/tmp/site/css/a.css").body == "p{}\n");
}

TEST_CASE("e2e: an artifact name that leaves its directory fails the step, stores nothing") {
    Cluster cluster;
    cluster.start_runner("runner-1", machine_agent_options());
    GitRepo repo = cluster.make_repo();
    repo.write_config(R"(version: 2.1
jobs:
  build:
    machine: true
    steps:
      - run: mkdir out && echo x > out/a.txt
      - store_artifacts: {path: out, destination: ../../escape}
      - run: {name: after, command: echo "ran after the failure", when: on_fail}
workflows:
  ci:
    jobs: [build]
)");
    const std::string sha = repo.commit("Escape");
    const int64_t id = cluster.push(repo, sha);
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    CHECK(string_field(pipeline, "status") == "failed");
    const std::string log = cluster.job_log(id, "build");
    CHECK_THAT(log, Catch::Contains("fmg: store_artifacts failed: artifact '../../escape/a.txt' "
                                    "is refused: it goes up a directory ('..')"));
    CHECK_THAT(log, Catch::Contains("ran after the failure"));
    auto listing =
        cluster.api().get("/api/v1/pipelines/" + std::to_string(id) + "/jobs/build/artifacts");
    CHECK(object_array(listing.json(), "artifacts").empty());
}

TEST_CASE("e2e: a shell runner's file steps reach neither what the sandbox hides nor the host") {
    Cluster cluster;
    const AgentOptions machine = machine_agent_options();
    const auto credentials = cluster.add_runner("runner-1", {"--labels", "machine"});
    cluster.start_agent("runner-1", credentials, machine);
    cluster.wait_for_runner_state("runner-1", "online");
    GitRepo repo = cluster.make_repo();
    // Each job tries one way out; all fail, saying why, and store nothing.
    repo.write_config(R"yaml(version: 2.1
jobs:
  credentials:
    machine: true
    steps:
      - store_artifacts: {path: )yaml" +
                      credentials.string() + R"yaml(}
  through-a-link:
    machine: true
    steps:
      - run: mkdir -p out && ln -s /etc out/etc
      - store_artifacts: {path: out/etc/hostname}
  host:
    machine: true
    steps:
      - store_artifacts: {path: /etc/hostname}
  other-jobs:
    machine: true
    steps:
      - store_artifacts: {path: )yaml" +
                      (cluster.dir() / "agents" / "runner-1" / "workspaces").string() +
                      R"yaml(}
workflows:
  ci:
    jobs: [credentials, through-a-link, host, other-jobs]
)yaml");
    const int64_t id = cluster.push(repo, repo.commit("Reach out"));
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    CHECK(string_field(pipeline, "status") == "failed");
    CHECK_THAT(cluster.job_log(id, "credentials"),
               Catch::Contains("holds what the sandbox hides from steps"));
    CHECK_THAT(cluster.job_log(id, "through-a-link"),
               Catch::Contains("out/etc/hostname (/etc/hostname on the runner) is outside what "
                               "a shell runner's file steps may read or write"));
    CHECK_THAT(cluster.job_log(id, "host"),
               Catch::Contains("is outside what a shell runner's file steps may read or write"));
    CHECK_THAT(cluster.job_log(id, "other-jobs"),
               Catch::Contains("is outside what a shell runner's file steps may read or write"));
    for (const char* job : {"credentials", "through-a-link", "host", "other-jobs"}) {
        auto listing = cluster.api().get("/api/v1/pipelines/" + std::to_string(id) + "/jobs/" +
                                         job + "/artifacts");
        CHECK(object_array(listing.json(), "artifacts").empty());
    }
}
