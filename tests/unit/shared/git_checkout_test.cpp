// Mirror::checkout into job workspaces, checked with the git CLI.

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "git_test_repo.h"
#include "shared/git/mirror.h"

using fmg::git::Mirror;
using namespace fmg::git_testing;

namespace {

struct Fixture {
    TempDir temp;
    SourceRepo source{temp.path() / "source"};
    std::string first;
    std::string second;
    Mirror mirror = open_and_fetch();

    Mirror open_and_fetch() {
        source.write("README.md", "first\n");
        source.write("scripts/build.sh", "#!/bin/sh\necho building\n", true);
        first = source.commit("first");
        source.git("tag v1");
        source.write("README.md", "second\n");
        source.write("src/main.c", "int main(void) { return 0; }\n");
        second = source.commit("second");
        auto opened = Mirror::open(temp.path() / "cache", source.file_url());
        REQUIRE(opened.ok());
        auto fetched = opened->fetch();
        INFO((fetched.ok() ? std::string() : fetched.error().message));
        REQUIRE(fetched.ok());
        return std::move(opened.value());
    }
};

bool is_executable(const std::filesystem::path& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 && (info.st_mode & S_IXUSR) != 0;
}

}  // namespace

TEST_CASE("checkout makes a working tree of the commit with HEAD detached at it") {
    Fixture f;
    const auto workspace = f.temp.path() / "jobs" / "42" / "workspace";
    auto done = f.mirror.checkout(f.second, workspace);
    INFO((done.ok() ? std::string() : done.error().message));
    REQUIRE(done.ok());

    CHECK(slurp(workspace / "README.md") == "second\n");
    CHECK(slurp(workspace / "src" / "main.c") == "int main(void) { return 0; }\n");
    CHECK(is_executable(workspace / "scripts" / "build.sh"));
    CHECK_FALSE(is_executable(workspace / "README.md"));
    CHECK(std::filesystem::is_directory(workspace / ".git"));

    CHECK(git_at(workspace, "rev-parse HEAD") == f.second);
    CHECK(git_at(workspace, "symbolic-ref -q HEAD || echo detached") == "detached");
    CHECK(git_at(workspace, "status --porcelain").empty());
    CHECK(git_at(workspace, "log --format=%s") == "second\nfirst");
    CHECK(git_at(workspace, "remote get-url origin") == f.source.file_url());
    CHECK(git_at(workspace, "rev-parse v1") != "");
    CHECK(git_at(workspace, "rev-parse origin/main") == f.second);
    git_at(workspace, "fsck --no-progress");
}

TEST_CASE("checkout of an older commit into an existing empty directory") {
    Fixture f;
    const auto workspace = f.temp.path() / "empty";
    std::filesystem::create_directories(workspace);
    REQUIRE(f.mirror.checkout(f.first.substr(0, 12), workspace).ok());
    CHECK(git_at(workspace, "rev-parse HEAD") == f.first);
    CHECK(slurp(workspace / "README.md") == "first\n");
    CHECK_FALSE(std::filesystem::exists(workspace / "src"));
}

TEST_CASE("checkout copies the objects, so a job writing into .git cannot reach the mirror") {
    Fixture f;
    const auto workspace = f.temp.path() / "ws";
    REQUIRE(f.mirror.checkout(f.second, workspace).ok());
    int files = 0;
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(workspace / ".git" / "objects")) {
        if (!entry.is_regular_file()) continue;
        ++files;
        INFO(entry.path());
        CHECK(entry.hard_link_count() == 1);  // not shared with the mirror's files
    }
    CHECK(files > 0);
    std::filesystem::remove_all(workspace / ".git" / "objects");
    CHECK(f.mirror.read_file(f.first, "README.md")->value() == "first\n");
    git_at(f.mirror.path(), "fsck --no-progress");
}

TEST_CASE("checkout refuses unknown commits and non-empty destinations, touching nothing") {
    Fixture f;
    const auto workspace = f.temp.path() / "ws";
    auto unknown = f.mirror.checkout("0123456789abcdef0123456789abcdef01234567", workspace);
    REQUIRE_FALSE(unknown.ok());
    CHECK_THAT(unknown.error().message, Catch::Contains("0123456789abcdef"));
    CHECK_FALSE(std::filesystem::exists(workspace));

    std::filesystem::create_directories(workspace);
    std::ofstream(workspace / "leftover") << "from an earlier job";
    auto occupied = f.mirror.checkout(f.second, workspace);
    REQUIRE_FALSE(occupied.ok());
    CHECK_THAT(occupied.error().message, Catch::Contains("not empty"));
    CHECK(slurp(workspace / "leftover") == "from an earlier job");
    CHECK_FALSE(std::filesystem::exists(workspace / ".git"));
}

TEST_CASE("checkout works when the remote's HEAD names no branch") {
    TempDir temp;
    SourceRepo source(temp.path() / "source");
    source.write("file.txt", "content\n");
    const auto sha = source.commit("only");
    source.git("branch trunk");
    source.git("symbolic-ref HEAD refs/heads/nothing");  // HEAD names an unborn branch
    source.git("branch -D main");
    auto mirror = Mirror::open(temp.path() / "cache", source.file_url());
    REQUIRE(mirror.ok());
    REQUIRE(mirror->fetch().ok());
    CHECK(*mirror->resolve("trunk") == sha);

    const auto workspace = temp.path() / "ws";
    auto done = mirror->checkout(sha, workspace);
    INFO((done.ok() ? std::string() : done.error().message));
    REQUIRE(done.ok());
    CHECK(git_at(workspace, "rev-parse HEAD") == sha);
    CHECK(slurp(workspace / "file.txt") == "content\n");
}
