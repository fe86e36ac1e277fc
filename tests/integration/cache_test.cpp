// Caches through the real binaries: a cache saved by one pipeline's job on one runner is
// restored by a later pipeline's job on another; a key that exists is kept, not overwritten;
// `keys` fall back by prefix to the newest match; docker jobs restore under their home and
// at absolute paths; a cache of another repository is out of reach.

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

/// A one-job workflow on the runner labelled `host`, with `steps` (YAML, indented 6).
std::string machine_job(const std::string& host, const std::string& steps) {
    return "version: 2.1\njobs:\n  deps:\n    machine: true\n    resource_class: " + host +
           "\n    steps:\n" + steps + "workflows:\n  ci:\n    jobs: [deps]\n";
}

/// Pushes the commit and waits for its pipeline to succeed; its `deps` job's log.
std::string run_pipeline(Cluster& cluster, const GitRepo& repo, const std::string& sha,
                         const std::string& runner, const std::string& full_name = "octo/demo") {
    const int64_t id = cluster.push(repo, sha, "refs/heads/main", full_name);
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    const std::string log = cluster.job_log(id, "deps");
    INFO("log:\n" << log);
    REQUIRE(string_field(pipeline, "status") == "success");
    CHECK(last_runner_of(pipeline, "deps") == runner);
    return log;
}

}  // namespace

TEST_CASE("e2e: a cache saved on one runner is restored on another, never overwritten") {
    Cluster cluster;
    cluster.start_runner("runner-1", machine_agent_options("machine,host-a"));
    cluster.start_runner("runner-2", machine_agent_options("machine,host-b"));
    GitRepo repo = cluster.make_repo();

    // Pipeline 1, on host-a: installs "v1" and saves it under the lock file's checksum and
    // under its revision.
    repo.write_file("deps.lock", "left-pad 1.0\n");
    repo.write_config(machine_job("host-a", R"yaml(      - checkout
      - restore_cache: {keys: ['deps-{{ checksum "deps.lock" }}']}
      - run: mkdir -p deps/lib && echo "v1" > deps/lib/pad.txt
      - save_cache: {key: 'deps-{{ checksum "deps.lock" }}', paths: [deps]}
      - save_cache: {key: 'rev-{{ .Branch }}-{{ .Revision }}', paths: [deps]}
)yaml"));
    const std::string first_sha = repo.commit("Install v1");
    const std::string first = run_pipeline(cluster, repo, first_sha, "runner-1");
    CHECK_THAT(first, Catch::Contains("No cache is found for keys: deps-"));
    CHECK_THAT(first, Catch::Contains("Stored cache deps-"));
    CHECK_THAT(first, Catch::Contains("Stored cache rev-main-" + first_sha + ": 1 path"));

    // Pipeline 2, on host-b, same lock file: restores v1, then tries to save v2 under the
    // same key (kept as it was) and under its own revision.
    repo.write_config(machine_job("host-b", R"yaml(      - checkout
      - restore_cache: {keys: ['deps-{{ checksum "deps.lock" }}']}
      - run: echo "restored $(cat deps/lib/pad.txt)" && echo "v2" > deps/lib/pad.txt
      - save_cache: {key: 'deps-{{ checksum "deps.lock" }}', paths: [deps]}
      - save_cache: {key: 'rev-{{ .Branch }}-{{ .Revision }}', paths: [deps]}
)yaml"));
    const std::string second_sha = repo.commit("Use the cache on another runner");
    const std::string second = run_pipeline(cluster, repo, second_sha, "runner-2");
    CHECK_THAT(second, Catch::Contains("restored v1"));
    CHECK_THAT(second, Catch::Contains("Skipping cache generation, cache already exists for key: "
                                       "deps-"));
    CHECK_THAT(second, Catch::Contains("Stored cache rev-main-" + second_sha));

    // Pipeline 3, on host-a, a new lock file: its exact key misses, the prefix finds the
    // newest revision's cache (v2), and the checksum cache still holds v1.
    repo.write_file("deps.lock", "left-pad 2.0\n");
    repo.write_config(machine_job("host-a", R"yaml(      - checkout
      - restore_cache:
          keys:
            - 'deps-{{ checksum "deps.lock" }}'
            - 'rev-{{ .Branch }}-'
      - run: echo "fallback $(cat deps/lib/pad.txt)" && rm -rf deps
      - restore_cache: {key: deps-}
      - run: echo "oldest key $(cat deps/lib/pad.txt)"
)yaml"));
    const std::string third = run_pipeline(cluster, repo, repo.commit("New lock"), "runner-1");
    CHECK_THAT(third, Catch::Contains("Found a cache at key rev-main-" + second_sha));
    CHECK_THAT(third, Catch::Contains("fallback v2"));
    CHECK_THAT(third, Catch::Contains("oldest key v1"));

    // The caches as the API lists them: one per key, newest first.
    const auto listed = cluster.api().get("/api/v1/caches?repo=octo/demo");
    INFO("caches: " << listed.body);
    REQUIRE(listed.status == 200);
    const auto caches = object_array(listed.json(), "caches");
    REQUIRE(caches.size() == 3);
    CHECK(string_field(caches[0], "key") == "rev-main-" + second_sha);
    CHECK(string_field(caches[2], "key").rfind("deps-", 0) == 0);
    CHECK(int_field(caches[2], "size") > 0);
}

TEST_CASE("e2e: docker jobs restore caches under their home and at absolute paths") {
    Cluster cluster;
    cluster.start_runner("runner-1");
    GitRepo repo = cluster.make_repo();
    repo.write_config(R"yaml(version: 2
jobs:
  save:
    docker: [{image: fmg/busybox:latest}]
    steps:
      - run: |
          mkdir -p ~/.cache/tool /opt/cache
          echo "in home" > ~/.cache/tool/a.txt
          echo "absolute" > /opt/cache/b.txt
      - save_cache: {key: 'docker-{{ arch }}', paths: [~/.cache/tool, /opt/cache]}
  restore:
    docker: [{image: fmg/busybox:latest}]
    steps:
      - restore_cache: {keys: ['docker-{{ arch }}']}
      - run: cat ~/.cache/tool/a.txt /opt/cache/b.txt
workflows:
  version: 2
  ci:
    jobs:
      - save
      - restore: {requires: [save]}
)yaml");
    const int64_t id = cluster.push(repo, repo.commit("Docker caches"));
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline) << "\nsave:\n" << cluster.job_log(id, "save"));
    REQUIRE(string_field(pipeline, "status") == "success");
    const std::string restore = cluster.job_log(id, "restore");
    CHECK_THAT(restore, Catch::Contains("Found a cache at key docker-arch1-linux-"));
    CHECK_THAT(restore, Catch::Contains("in home\nabsolute"));
}

TEST_CASE("e2e: a repository cannot restore another repository's caches") {
    Cluster cluster;
    cluster.start_runner("runner-1", machine_agent_options());
    GitRepo owner = cluster.make_repo("owner");
    owner.write_config(
        machine_job("machine", R"yaml(      - run: mkdir secret && echo "token" > secret/t.txt
      - save_cache: {key: shared-name, paths: [secret]}
)yaml"));
    run_pipeline(cluster, owner, owner.commit("Save"), "runner-1", "octo/owner");
    GitRepo other = cluster.make_repo("other");
    other.write_config(
        machine_job("machine", R"yaml(      - restore_cache: {keys: [shared-name, shared]}
      - run: test ! -e secret && echo "nothing restored"
)yaml"));
    const std::string log =
        run_pipeline(cluster, other, other.commit("Try"), "runner-1", "octo/other");
    CHECK_THAT(log, Catch::Contains("No cache is found for keys: shared-name, shared"));
    CHECK_THAT(log, Catch::Contains("nothing restored"));
}
