// Registry orbs through the real binaries: the coordinator started with `--orb-dir` runs a
// config whose job, executor and command come from an orb source in that directory (as
// `circleci orb source` prints it); a config importing an orb that is not there fails its
// pipeline with an error naming the orb and where to put it; `fmg validate --orb-dir` gives
// the same verdicts offline, and `override-with` picks the orb's job.

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/support/binaries.h"
#include "tests/support/cluster.h"
#include "tests/support/json.h"
#include "tests/support/process.h"

using namespace fmg::testing;

namespace {

// An orb as `circleci orb source acme/tools@1.2.0` prints one: its own version line,
// description and `display`, which fmg ignores, and its executors, commands and jobs.
constexpr const char* kOrbSource = R"(version: 2.1
description: Tools for the tests of fmg's orb directory.
display:
  home_url: https://example.com/acme/tools
executors:
  box:
    docker: [{image: fmg/busybox:latest}]
    environment: {TOOLS_EXECUTOR: box}
commands:
  greet:
    parameters: {who: {type: string, default: world}}
    steps:
      - run: echo "orb greets << parameters.who >> via $TOOLS_EXECUTOR"
jobs:
  check:
    executor: box
    parameters: {level: {type: integer, default: 1}}
    steps:
      - greet: {who: check}
      - run: echo "orb check at level << parameters.level >>"
)";

constexpr const char* kConfig = R"(version: 2.1
orbs:
  tools: acme/tools@1.2.0
jobs:
  build:
    executor: tools/box
    steps:
      - tools/greet: {who: build}
  release:
    docker: [{image: fmg/busybox:latest}]
    steps:
      - run: echo "own release job"
workflows:
  ci:
    jobs:
      - build
      - tools/check: {level: 3, requires: [build]}
      - release:
          requires: [tools/check]
          override-with: tools/check
)";

std::filesystem::path write_orb_dir(const std::filesystem::path& root) {
    const auto dir = root / "orbs";
    std::filesystem::create_directories(dir / "acme");
    std::ofstream(dir / "acme" / "tools@1.2.0.yml") << kOrbSource;
    return dir;
}

}  // namespace

TEST_CASE("e2e: the coordinator runs a registry orb's job, executor and command from --orb-dir") {
    TempDir orbs_root;
    const auto orb_dir = write_orb_dir(orbs_root.path());
    ClusterOptions options;
    options.coordinator_args = {"--orb-dir", orb_dir.string()};
    Cluster cluster(options);
    cluster.start_runner("runner-1");

    GitRepo repo = cluster.make_repo();
    repo.write_config(kConfig);
    const std::string sha = repo.commit("Use the tools orb");
    const int64_t id = cluster.push(repo, sha);
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    REQUIRE(string_field(pipeline, "status") == "success");

    std::vector<std::string> names;
    for (const auto& job : object_array(pipeline, "jobs")) {
        names.push_back(string_field(job, "name"));
    }
    // fmg's job names hold no `/` (they are API path segments): `tools/check` is tools-check.
    CHECK(names == std::vector<std::string>{"build", "tools-check", "release"});
    CHECK_THAT(cluster.job_log(id, "build"), Catch::Contains("orb greets build via box"));
    const std::string check = cluster.job_log(id, "tools-check");
    CHECK_THAT(check, Catch::Contains("orb greets check via box"));
    CHECK_THAT(check, Catch::Contains("orb check at level 3"));
    // `override-with`: the orb's job ran under the entry's name, not the config's own job.
    const std::string release = cluster.job_log(id, "release");
    CHECK_THAT(release, Catch::Contains("orb check at level 1"));
    CHECK_THAT(release, !Catch::Contains("own release job"));

    // An orb the directory lacks: the pipeline errors, naming it and where its source goes.
    std::string missing = kConfig;
    missing.replace(missing.find("acme/tools@1.2.0"), 16, "acme/tools@9.9.9");
    repo.write_config(missing);
    const std::string missing_sha = repo.commit("Use a version not in the orb directory");
    const auto refused = cluster.wait_for_final(cluster.push(repo, missing_sha));
    CHECK(string_field(refused, "status") == "error");
    CHECK_THAT(string_field(refused, "error"),
               Catch::Contains(".circleci/config.yml:3:10: orb `acme/tools@9.9.9` is not in the "
                               "orb directory: put its source (what `circleci orb source "
                               "acme/tools@9.9.9` prints) at " +
                               (orb_dir / "acme" / "tools@9.9.9.yml").string()));
}

TEST_CASE("e2e: fmg validate --orb-dir lists a registry orb's jobs offline, or names the orb") {
    TempDir dir;
    const auto orb_dir = write_orb_dir(dir.path());
    const auto config = dir.path() / "config.yml";
    std::ofstream(config) << kConfig;
    const std::string fmg = cli_binary().string();

    const CommandResult valid = run_command(ProcessOptions{
        {fmg, "validate", config.string(), "--orb-dir", orb_dir.string()}, {}, {}, {}});
    INFO(valid.describe({"fmg", "validate", config.string(), "--orb-dir", orb_dir.string()}));
    CHECK(valid.ok());
    CHECK_THAT(valid.out, Catch::Contains("valid, version 2.1, 3 jobs"));
    CHECK_THAT(valid.out, Catch::Contains("2. tools-check (workflow ci): image "
                                          "fmg/busybox:latest, 2 steps, requires build"));

    const CommandResult without =
        run_command(ProcessOptions{{fmg, "validate", config.string()}, {}, {}, {}});
    INFO(without.describe({"fmg", "validate", config.string()}));
    CHECK(without.status.exited_with(1));
    CHECK_THAT(without.out + without.err, Catch::Contains(":3:10: orb `acme/tools@1.2.0` is a "
                                                          "registry orb, which fmg cannot "
                                                          "download: give an orb directory"));
}
