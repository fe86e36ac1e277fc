// Mirror against real repositories made with the git CLI: open, fetch, resolve, read_file.

#include <catch2/catch.hpp>

#include "git_test_repo.h"
#include "shared/git/mirror.h"

using fmg::git::Mirror;
using namespace fmg::git_testing;

namespace {

Mirror open_mirror(const std::filesystem::path& cache, const std::string& url) {
    auto mirror = Mirror::open(cache, url);
    INFO((mirror.ok() ? std::string() : mirror.error().message));
    REQUIRE(mirror.ok());
    return std::move(mirror.value());
}

void fetch(Mirror& mirror) {
    auto fetched = mirror.fetch();
    INFO((fetched.ok() ? std::string() : fetched.error().message));
    REQUIRE(fetched.ok());
}

std::string read(const Mirror& mirror, const std::string& sha, const std::string& path) {
    auto content = mirror.read_file(sha, path);
    INFO((content.ok() ? std::string() : content.error().message));
    REQUIRE(content.ok());
    REQUIRE(content->has_value());
    return **content;
}

}  // namespace

TEST_CASE("a mirror opened from a file:// URL sees commits only after a fetch") {
    TempDir temp;
    SourceRepo source(temp.path() / "source");
    source.write(".circleci/config.yml", "version: 2.1\n");
    const auto first = source.commit("first");

    auto mirror = open_mirror(temp.path() / "cache", source.file_url());
    CHECK(mirror.path().parent_path() == temp.path() / "cache");
    CHECK(std::filesystem::exists(mirror.path() / "HEAD"));
    CHECK_FALSE(mirror.has_commit(first));
    fetch(mirror);
    CHECK(mirror.has_commit(first));
    CHECK(mirror.has_commit(first.substr(0, 10)));
    CHECK(read(mirror, first, ".circleci/config.yml") == "version: 2.1\n");
}

TEST_CASE("a mirror of a plain path fetches incrementally and keeps old commits readable") {
    TempDir temp;
    SourceRepo source(temp.path() / "source");
    source.write(".circleci/config.yml", "version: 2.1\njobs: {}\n");
    const auto old_sha = source.commit("old");
    auto mirror = open_mirror(temp.path() / "cache", source.dir().string());
    fetch(mirror);

    source.write(".circleci/config.yml", "version: 2.1\njobs: {build: {}}\n");
    const auto new_sha = source.commit("new");
    CHECK_FALSE(mirror.has_commit(new_sha));
    fetch(mirror);
    CHECK(mirror.has_commit(new_sha));
    CHECK(read(mirror, old_sha, ".circleci/config.yml") == "version: 2.1\njobs: {}\n");
    CHECK(read(mirror, new_sha, ".circleci/config.yml") == "version: 2.1\njobs: {build: {}}\n");
    CHECK(*mirror.resolve("main") == new_sha);
}

TEST_CASE("the same URL opens the same mirror directory, another URL another one") {
    TempDir temp;
    SourceRepo source(temp.path() / "source");
    source.write("README", "hello\n");
    const auto sha = source.commit("first");
    auto first = open_mirror(temp.path() / "cache", source.file_url());
    fetch(first);
    auto second = open_mirror(temp.path() / "cache", source.file_url());
    CHECK(second.path() == first.path());
    CHECK(second.has_commit(sha));
    auto by_path = open_mirror(temp.path() / "cache", source.dir().string());
    CHECK(by_path.path() != first.path());
    CHECK_FALSE(by_path.has_commit(sha));
}

TEST_CASE("resolve finds branches, tags, abbreviated shas and HEAD") {
    TempDir temp;
    SourceRepo source(temp.path() / "source");
    source.write("a.txt", "1\n");
    const auto tagged = source.commit("one");
    source.git("tag -a v1.0 -m release");
    source.git("tag light");
    source.write("a.txt", "2\n");
    const auto tip = source.commit("two");
    source.git("branch feature/x " + tagged);

    auto mirror = open_mirror(temp.path() / "cache", source.file_url());
    fetch(mirror);
    CHECK(*mirror.resolve("main") == tip);
    CHECK(*mirror.resolve("refs/heads/main") == tip);
    CHECK(*mirror.resolve("feature/x") == tagged);
    CHECK(*mirror.resolve("v1.0") == tagged);  // annotated tag, peeled to its commit
    CHECK(*mirror.resolve("light") == tagged);
    CHECK(*mirror.resolve(tip.substr(0, 7)) == tip);
    CHECK(*mirror.resolve(tagged) == tagged);
    CHECK(*mirror.resolve("HEAD") == tip);  // the remote's default branch

    auto missing = mirror.resolve("no-such-branch");
    REQUIRE_FALSE(missing.ok());
    CHECK_THAT(missing.error().message, Catch::Contains("no-such-branch"));
    CHECK_THAT(missing.error().message, Catch::Contains(source.file_url()));
    CHECK_FALSE(mirror.resolve("").ok());
    CHECK_FALSE(mirror.resolve("main:a.txt").ok());  // a blob, not a commit
}

TEST_CASE("a fetch follows force-pushes and drops deleted branches and tags") {
    TempDir temp;
    SourceRepo source(temp.path() / "source");
    source.write("a.txt", "1\n");
    const auto base = source.commit("base");
    source.git("checkout -q -b topic");
    source.write("a.txt", "topic\n");
    const auto topic = source.commit("topic");
    source.git("tag doomed");
    source.git("checkout -q main");

    auto mirror = open_mirror(temp.path() / "cache", source.file_url());
    fetch(mirror);
    CHECK(*mirror.resolve("topic") == topic);
    CHECK(*mirror.resolve("doomed") == topic);

    source.git("branch -D topic");
    source.git("tag -d doomed");
    source.git("reset -q --hard " + base);
    source.write("b.txt", "rewritten\n");
    const auto rewritten = source.commit("rewritten main");
    fetch(mirror);
    CHECK_FALSE(mirror.resolve("topic").ok());
    CHECK_FALSE(mirror.resolve("doomed").ok());
    CHECK(*mirror.resolve("main") == rewritten);
    // The commit of the deleted branch stays readable: a queued job may still need it.
    CHECK(read(mirror, topic, "a.txt") == "topic\n");
}

TEST_CASE("read_file: missing paths are nullopt, other misuses are errors") {
    TempDir temp;
    SourceRepo source(temp.path() / "source");
    source.write("dir/file.txt", "x\n");
    source.write("big.bin", std::string(fmg::git::kMaxReadFileBytes + 1, 'b'));
    source.write("limit.bin", std::string(fmg::git::kMaxReadFileBytes, 'l'));
    const auto sha = source.commit("files");
    auto mirror = open_mirror(temp.path() / "cache", source.file_url());
    fetch(mirror);

    auto missing = mirror.read_file(sha, ".circleci/config.yml");
    REQUIRE(missing.ok());
    CHECK_FALSE(missing->has_value());
    auto under_a_file = mirror.read_file(sha, "dir/file.txt/deeper");
    REQUIRE(under_a_file.ok());
    CHECK_FALSE(under_a_file->has_value());

    auto directory = mirror.read_file(sha, "dir");
    REQUIRE_FALSE(directory.ok());
    CHECK_THAT(directory.error().message, Catch::Contains("directory"));

    CHECK(read(mirror, sha, "limit.bin").size() == fmg::git::kMaxReadFileBytes);
    auto big = mirror.read_file(sha, "big.bin");
    REQUIRE_FALSE(big.ok());
    CHECK_THAT(big.error().message, Catch::Contains("limit"));

    const std::string unknown = "0123456789abcdef0123456789abcdef01234567";
    auto unknown_sha = mirror.read_file(unknown, "dir/file.txt");
    REQUIRE_FALSE(unknown_sha.ok());
    CHECK_THAT(unknown_sha.error().message, Catch::Contains(unknown));
    CHECK_FALSE(mirror.read_file("not-a-sha", "dir/file.txt").ok());
    CHECK_FALSE(mirror.read_file(sha, "/dir/file.txt").ok());
}

TEST_CASE("read_file refuses symbolic links instead of returning their target") {
    TempDir temp;
    SourceRepo source(temp.path() / "source");
    source.write("real.yml", "version: 2.1\n");
    std::filesystem::create_symlink("real.yml", source.dir() / "link.yml");
    const auto sha = source.commit("link");
    auto mirror = open_mirror(temp.path() / "cache", source.file_url());
    fetch(mirror);
    auto link = mirror.read_file(sha, "link.yml");
    REQUIRE_FALSE(link.ok());
    CHECK_THAT(link.error().message, Catch::Contains("symbolic link"));
}
