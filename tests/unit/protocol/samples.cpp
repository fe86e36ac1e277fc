#include "samples.h"

namespace fmg::protocol::testing {

std::string all_byte_values() {
    std::string bytes;
    for (int value = 0; value < 256; ++value) bytes.push_back(static_cast<char>(value));
    return bytes + std::string("\0\0tail\r\n", 8);
}

std::vector<AgentMessage> sample_agent_messages() {
    return {
        Hello{"build-01", "0.1.0", 4, {"docker", "linux", "x86_64"}, {41, 9000000000LL}},
        AgentHeartbeat{{41, 42}, 2, true},
        Accepted{42},
        Refused{43, "no free slot: 4 of 4 busy"},
        StepStarted{42, 3, 1767225600123},
        Log{42, 17, all_byte_values()},
        StepFinished{42, 3, StepOutcome::failed, -9, 1767225601456},
        JobFinished{42, JobOutcome::error, "pull access denied for nosuch/image", 17,
                    1767225602789},
        Goodbye{"SIGTERM: drained, 1 attempt handed back"},
        Upload{42, 3, 9000000000ULL, all_byte_values()},
        UploadEnd{42, 3, UploadKind::artifact, "reports/junit.xml", 9000001024ULL,
                  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        Fetch{42, 2, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
              9000000000ULL, 1048576},
        CacheFind{42, 4, {"v1-deps-main-aGVsbG8=", "v1-deps-main-", "v1-deps-"}, false},
        CacheFind{42, 5, {"v1-deps-main-aGVsbG8="}, true},
        CacheSave{42, 6, "v1-deps-main-aGVsbG8=", {7, 8, 18446744073709551615ULL}},
    };
}

std::vector<CoordinatorMessage> sample_coordinator_messages() {
    StepSpec checkout{StepKind::checkout,
                      "Checkout code",
                      "",
                      {},
                      "",
                      0,
                      StepWhen::on_success,
                      "",
                      false,
                      0,
                      0,
                      {},
                      "",
                      "",
                      "",
                      {},
                      {},
                      {}};
    StepSpec test{StepKind::run,
                  "Run tests",
                  "make -j4 test\necho \"done: $RESULT\"",
                  {{"CI", "true"}, {"GREETING", "héllo wörld = 1"}, {"EMPTY", ""}},
                  "sub/dir",
                  600000,
                  StepWhen::always,
                  "/bin/sh -eu",
                  false,
                  3,
                  10000,
                  {},
                  "",
                  "",
                  "",
                  {},
                  {},
                  {}};
    StepSpec server{StepKind::run,
                    "Server",
                    "./serve",
                    {},
                    "",
                    0,
                    StepWhen::on_success,
                    "",
                    true,
                    0,
                    0,
                    {},
                    "",
                    "",
                    "",
                    {},
                    {},
                    {}};
    StepSpec artifacts{StepKind::store_artifacts,
                       "Uploading artifacts",
                       "",
                       {},
                       "",
                       0,
                       StepWhen::always,
                       "",
                       false,
                       0,
                       0,
                       {"~/project/build/report dir"},
                       "reports/ünïcode",
                       "",
                       "",
                       {},
                       {},
                       {}};
    StepSpec persist;
    persist.kind = StepKind::persist_to_workspace;
    persist.name = "Persisting to workspace";
    persist.root = "~/project";
    persist.paths = {"bin", "dist/*.tar.gz"};
    StepSpec attach;
    attach.kind = StepKind::attach_workspace;
    attach.name = "Attaching workspace";
    attach.at = "/tmp/ws";
    attach.layers = {std::string(64, 'a'), std::string(64, '0')};
    StepSpec restore;
    restore.kind = StepKind::restore_cache;
    restore.name = "Restoring cache";
    restore.keys = {"v1-deps-{{ .Branch }}-{{ checksum \"go.sum\" }}", "v1-deps-"};
    StepSpec save;
    save.kind = StepKind::save_cache;
    save.name = "Saving cache";
    save.keys = {"v1-deps-{{ .Branch }}-{{ checksum \"go.sum\" }}"};
    save.paths = {"~/go/pkg/mod", "vendor"};
    Assign assign{42,
                  7,
                  "build",
                  "https://github.com/octo/repo.git",
                  "refs/heads/main",
                  "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
                  "cimg/base:2024.01",
                  {"postgres:16", "redis:7"},
                  {{"CIRCLE_BRANCH", "main"}, {"PATH", "/usr/bin:/bin"}},
                  "~/project",
                  {checkout, test, server, artifacts, persist, attach, restore, save},
                  3600000,
                  {ImageOptions{},
                   ImageOptions{"db",
                                {"docker-entrypoint.sh"},
                                {"postgres", "-c", "fsync=off"},
                                "postgres",
                                {{"POSTGRES_PASSWORD", "x"}},
                                "$REGISTRY_USER",
                                "${REGISTRY_PASSWORD}"},
                   ImageOptions{"cache", {}, {"redis-server"}, "", {}, "", ""}},
                  {}};
    return {
        Welcome{12, 250, 750},
        Reject{RejectCode::revoked, "runner 'build-01' is revoked"},
        CoordinatorHeartbeat{},
        assign,
        Ack{42, 17},
        Cancel{41, "attempt 41 is not current on runner 12"},
        UploadAck{42, 3, 9000000000ULL},
        UploadDone{42, 3, "the coordinator's disk is full"},
        FetchData{42, 2, 9000000000ULL, 9000001024ULL, all_byte_values(), ""},
        CacheAnswer{42,
                    4,
                    "v1-deps-main-aGVsbG8=",
                    {{"~", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                      9000001024ULL},
                     {".", "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03", 0}},
                    false,
                    ""},
        CacheAnswer{42, 6, "v1-deps-main-aGVsbG8=", {}, true, ""},
    };
}

}  // namespace fmg::protocol::testing
