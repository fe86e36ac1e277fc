// Mirror::open and Mirror::fetch: failures, credentials in messages, concurrent fetches.

#include <catch2/catch.hpp>
#include <latch>
#include <thread>
#include <vector>

#include "git_test_repo.h"
#include "shared/git/mirror.h"

using fmg::git::Mirror;
using namespace fmg::git_testing;

TEST_CASE("fetching a repository that does not exist fails with its URL") {
    TempDir temp;
    for (const std::string& url :
         {"file://" + (temp.path() / "nowhere").string(), (temp.path() / "nowhere").string()}) {
        auto mirror = Mirror::open(temp.path() / "cache", url);
        REQUIRE(mirror.ok());
        auto fetched = mirror->fetch();
        REQUIRE_FALSE(fetched.ok());
        CHECK_THAT(fetched.error().message, Catch::StartsWith("fetch " + url + ": "));
    }
    auto by_path = Mirror::open(temp.path() / "cache", (temp.path() / "nowhere").string());
    REQUIRE(by_path.ok());
    CHECK_THAT(by_path->fetch().error().message, Catch::EndsWith("no such directory"));
}

TEST_CASE("credentials in the URL never reach an error message or the mirror's files") {
    TempDir temp;
    const std::string url = "https://user:secret@127.0.0.1:1/x.git";
    auto mirror = Mirror::open(temp.path() / "cache", url);
    REQUIRE(mirror.ok());
    CHECK(mirror->url() == url);
    CHECK(mirror->display_url() == "https://127.0.0.1:1/x.git");
    CHECK_THAT(mirror->path().string(), !Catch::Contains("secret"));
    CHECK_THAT(slurp(mirror->path() / "config"), !Catch::Contains("secret"));
    CHECK_THAT(slurp(mirror->path() / "config"), Catch::Contains("https://127.0.0.1:1/x.git"));

    auto fetched = mirror->fetch();
    REQUIRE_FALSE(fetched.ok());
    CHECK_THAT(fetched.error().message, Catch::StartsWith("fetch https://127.0.0.1:1/x.git: "));
    CHECK_THAT(fetched.error().message, !Catch::Contains("secret"));
    CHECK_THAT(fetched.error().message, !Catch::Contains("user"));
}

TEST_CASE("open refuses URLs it cannot fetch and cache directories it cannot create") {
    TempDir temp;
    auto relative = Mirror::open(temp.path() / "cache", "some/relative/path");
    REQUIRE_FALSE(relative.ok());
    CHECK_THAT(relative.error().message, Catch::Contains("some/relative/path"));
    CHECK_FALSE(Mirror::open(temp.path() / "cache", "ftp://example.com/r.git").ok());

    std::ofstream(temp.path() / "file") << "not a directory";
    auto blocked = Mirror::open(temp.path() / "file" / "cache", "https://example.com/r.git");
    REQUIRE_FALSE(blocked.ok());
    CHECK_THAT(blocked.error().message, Catch::Contains("cache"));
}

TEST_CASE("threads opening and fetching one mirror at once all succeed and leave it valid") {
    TempDir temp;
    SourceRepo source(temp.path() / "source");
    for (int i = 0; i < 20; ++i) {
        source.write("file" + std::to_string(i % 5) + ".txt",
                     std::string(2000 + i, static_cast<char>('a' + i)));
        source.commit("commit " + std::to_string(i));
    }
    const auto cache = temp.path() / "cache";
    constexpr int kThreads = 4;

    for (int round = 0; round < 3; ++round) {
        source.write("round.txt", std::to_string(round));
        const auto tip = source.commit("round " + std::to_string(round));
        std::latch start(kThreads);
        std::vector<std::string> failures(kThreads);
        std::vector<std::string> resolved(kThreads);
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                start.arrive_and_wait();
                auto mirror = Mirror::open(cache, source.file_url());
                if (!mirror) {
                    failures[t] = mirror.error().message;
                    return;
                }
                if (auto fetched = mirror->fetch(); !fetched) {
                    failures[t] = fetched.error().message;
                    return;
                }
                auto head = mirror->resolve("main");
                resolved[t] = head ? *head : head.error().message;
            });
        }
        for (auto& thread : threads) thread.join();
        for (int t = 0; t < kThreads; ++t) {
            INFO("round " << round << " thread " << t);
            CHECK(failures[t] == "");
            CHECK(resolved[t] == tip);
        }
    }
    auto mirror = Mirror::open(cache, source.file_url());
    REQUIRE(mirror.ok());
    git_at(mirror->path(), "fsck --no-progress --strict");
    CHECK(git_at(mirror->path(), "rev-parse refs/heads/main") == source.git("rev-parse main"));
    CHECK(std::distance(std::filesystem::directory_iterator(cache),
                        std::filesystem::directory_iterator()) == 2);  // the mirror and its lock
}
