// Workspaces through the real binaries: what a job persists on one runner is attached by the
// jobs that require it on another (shell runners on one host, each with its own work dir;
// docker runners with containers), layered in order; a job attaching a workspace nobody
// persisted fails saying so; a symbolic link out of the workspace is refused when persisted.

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/json.h"

using namespace fmg::testing;

TEST_CASE("e2e: a workspace persisted on one runner is attached on another, layer on layer") {
    Cluster cluster;
    cluster.start_runner("runner-1", machine_agent_options("machine,host-a"));
    cluster.start_runner("runner-2", machine_agent_options("machine,host-b"));
    GitRepo repo = cluster.make_repo();
    // build and release run on one host, docs and test on the other; test needs all three;
    // release's layer comes after build's, so its version.txt wins.
    repo.write_config(R"yaml(version: 2.1
jobs:
  build:
    machine: true
    resource_class: host-a
    steps:
      - run: |
          mkdir -p out/bin out/lib
          echo "app v1" > out/bin/app
          echo "shared" > out/lib/shared.txt
          ln -s ../lib/shared.txt out/bin/shared-link
          echo "first" > out/version.txt
      - persist_to_workspace: {root: out, paths: [bin, lib/*.txt, version.txt]}
  docs:
    machine: true
    resource_class: host-b
    steps:
      - run: mkdir -p site && echo "<h1>docs</h1>" > site/index.html
      - persist_to_workspace: {root: ., paths: [site]}
  release:
    machine: true
    resource_class: host-a
    steps:
      - run: mkdir w && echo "second" > w/version.txt
      - persist_to_workspace: {root: w, paths: [version.txt]}
  test:
    machine: true
    resource_class: host-b
    steps:
      - attach_workspace: {at: /tmp/fmg-ws-test}
      - run: |
          cat /tmp/fmg-ws-test/bin/app /tmp/fmg-ws-test/lib/shared.txt
          cat /tmp/fmg-ws-test/bin/shared-link
          cat /tmp/fmg-ws-test/site/index.html
          echo "version: $(cat /tmp/fmg-ws-test/version.txt)"
          rm -rf /tmp/fmg-ws-test
workflows:
  ci:
    jobs:
      - build
      - docs
      - release: {requires: [build]}
      - test: {requires: [release, docs]}
)yaml");
    const int64_t id = cluster.push(repo, repo.commit("Build once, test after"));
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    REQUIRE(string_field(pipeline, "status") == "success");
    // test read files persisted on both runners, through the coordinator.
    CHECK(last_runner_of(pipeline, "build") == "runner-1");
    CHECK(last_runner_of(pipeline, "release") == "runner-1");
    CHECK(last_runner_of(pipeline, "test") == "runner-2");
    const std::string build = cluster.job_log(id, "build");
    CHECK_THAT(build, Catch::Contains("Persisted 3 files (20 bytes)"));
    CHECK_THAT(build, Catch::Contains("from out to the workspace (layer "));
    const std::string test = cluster.job_log(id, "test");
    INFO("test log: " << test);
    CHECK_THAT(test, Catch::Contains("Attached 3 layers"));
    CHECK_THAT(test, Catch::Contains("app v1\nshared\n"));
    CHECK_THAT(test, Catch::Contains("shared\n<h1>docs</h1>"));
    CHECK_THAT(test, Catch::Contains("version: second"));  // release's layer came later
}

TEST_CASE("e2e: docker jobs share a workspace through their containers") {
    Cluster cluster;
    cluster.start_runner("runner-1");
    GitRepo repo = cluster.make_repo();
    repo.write_config(R"yaml(version: 2
jobs:
  build:
    docker: [{image: fmg/busybox:latest}]
    steps:
      - run: mkdir -p /tmp/dist && echo "binary" > /tmp/dist/app && chmod 755 /tmp/dist/app
      - persist_to_workspace: {root: /tmp/dist, paths: ["*"]}
  test:
    docker: [{image: fmg/busybox:latest}]
    steps:
      - attach_workspace: {at: ~/project/dist}
      - run: cat dist/app && test -x dist/app && echo executable
workflows:
  version: 2
  ci:
    jobs:
      - build
      - test: {requires: [build]}
)yaml");
    const int64_t id = cluster.push(repo, repo.commit("Docker workspace"));
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    REQUIRE(string_field(pipeline, "status") == "success");
    const std::string test = cluster.job_log(id, "test");
    CHECK_THAT(test, Catch::Contains("binary\nexecutable"));
}

TEST_CASE("e2e: attaching a workspace nobody persisted, or persisting a link out, fails clearly") {
    Cluster cluster;
    cluster.start_runner("runner-1", machine_agent_options());
    GitRepo repo = cluster.make_repo();
    repo.write_config(R"yaml(version: 2.1
jobs:
  lonely:
    machine: true
    steps:
      - attach_workspace: {at: ws}
  escape:
    machine: true
    steps:
      - run: mkdir out && ln -s /etc out/etc && echo x > out/x
      - persist_to_workspace: {root: out, paths: ["."]}
  nothing:
    machine: true
    steps:
      - run: mkdir out
      - persist_to_workspace: {root: out, paths: ["*.jar"]}
workflows:
  ci:
    jobs: [lonely, escape, nothing]
)yaml");
    const int64_t id = cluster.push(repo, repo.commit("Broken workspaces"));
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    CHECK(string_field(pipeline, "status") == "failed");
    CHECK_THAT(cluster.job_log(id, "lonely"),
               Catch::Contains("fmg: attach_workspace failed: no job this one requires "
                               "(directly or through others) persisted a workspace"));
    CHECK_THAT(cluster.job_log(id, "escape"),
               Catch::Contains("fmg: persist_to_workspace failed: cannot keep 'etc' is a "
                               "symbolic link to /etc, outside the directory it is restored "
                               "into"));
    CHECK_THAT(cluster.job_log(id, "nothing"),
               Catch::Contains("fmg: persist_to_workspace failed: path '*.jar' matched nothing "
                               "under out"));
}
