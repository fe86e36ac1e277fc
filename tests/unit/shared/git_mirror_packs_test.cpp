// Mirror::fetch keeps the pack count bounded: every fetch writes a pack, and past
// kMaxMirrorPacks all but the largest are merged into one. Nothing is lost on the way
// (commits no branch reaches any more included), and a Mirror opened before a merge, in
// this thread or another, still reads and checks out.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "git_test_repo.h"
#include "shared/git/mirror.h"
#include "shared/git/mirror_impl.h"

using fmg::git::Mirror;
using namespace fmg::git_testing;
namespace fs = std::filesystem;

namespace {

size_t pack_count(const Mirror& mirror) {
    size_t count = 0;
    for (const auto& entry : fs::directory_iterator(mirror.path() / "objects" / "pack")) {
        if (entry.path().extension() == ".pack") ++count;
    }
    return count;
}

// Commits `n.txt` holding "n" and fetches it into `mirror`; returns the commit.
std::string push_and_fetch(SourceRepo& source, Mirror& mirror, int n) {
    source.write(std::to_string(n) + ".txt", std::to_string(n));
    const std::string sha = source.commit("commit " + std::to_string(n));
    REQUIRE(mirror.fetch().ok());
    return sha;
}

void check_reads(const Mirror& mirror, const std::string& sha, int n) {
    INFO("commit " << n << " " << sha);
    REQUIRE(mirror.has_commit(sha));
    auto text = mirror.read_file(sha, std::to_string(n) + ".txt");
    REQUIRE(text.ok());
    REQUIRE(text->has_value());
    CHECK(**text == std::to_string(n));
}

}  // namespace

TEST_CASE("a mirror fetched after each of 40 pushes keeps its packs bounded and every object") {
    TempDir temp;
    SourceRepo source(temp.path() / "source");
    // A first commit large enough that its pack stays the largest.
    for (int i = 0; i < 50; ++i)
        source.write("big/" + std::to_string(i), std::string(4000, 'x' + i % 3));
    source.write("0.txt", "0");
    std::vector<std::string> shas{source.commit("commit 0")};
    auto mirror = Mirror::open(temp.path() / "cache", source.file_url());
    REQUIRE(mirror.ok());
    REQUIRE(mirror->fetch().ok());

    // A branch whose commit becomes unreachable in the mirror once the branch is deleted.
    source.git("checkout -q -b doomed");
    source.write("doomed.txt", "doomed");
    const std::string doomed = source.commit("doomed");
    source.git("checkout -q main");
    REQUIRE(mirror->fetch().ok());
    source.git("branch -q -D doomed");

    size_t most_packs = 0;
    for (int n = 1; n <= 40; ++n) {
        shas.push_back(push_and_fetch(source, *mirror, n));
        most_packs = std::max(most_packs, pack_count(*mirror));
    }
    CHECK(most_packs <= fmg::git::kMaxMirrorPacks + 1);
    CHECK(pack_count(*mirror) <= fmg::git::kMaxMirrorPacks + 1);
    CHECK(fmg::git::read_pack_generation(mirror->path()) >= 2);
    CHECK_FALSE(mirror->resolve("doomed").ok());  // pruned

    for (int n = 0; n <= 40; ++n) check_reads(*mirror, shas[static_cast<size_t>(n)], n);
    auto text = mirror->read_file(doomed, "doomed.txt");
    REQUIRE(text.ok());
    CHECK(text->value_or("") == "doomed");
    auto main = mirror->resolve("main");
    REQUIRE(main.ok());
    CHECK(*main == shas.back());

    // A fresh Mirror and a checkout of an old commit see the same.
    auto again = Mirror::open(temp.path() / "cache", source.file_url());
    REQUIRE(again.ok());
    for (int n = 0; n <= 40; n += 7) check_reads(*again, shas[static_cast<size_t>(n)], n);
    REQUIRE(again->checkout(shas[3], temp.path() / "work").ok());
    CHECK(slurp(temp.path() / "work" / "3.txt") == "3");
    CHECK_FALSE(fs::exists(temp.path() / "work" / "40.txt"));
}

TEST_CASE("a mirror opened before its packs are merged still reads and checks out") {
    TempDir temp;
    SourceRepo source(temp.path() / "source");
    for (int i = 0; i < 50; ++i) source.write("big/" + std::to_string(i), std::string(4000, 'y'));
    source.write("0.txt", "0");
    std::vector<std::string> shas{source.commit("commit 0")};
    auto fetcher = Mirror::open(temp.path() / "cache", source.file_url());
    REQUIRE(fetcher.ok());
    REQUIRE(fetcher->fetch().ok());
    for (int n = 1; n <= 10; ++n) shas.push_back(push_and_fetch(source, *fetcher, n));

    // The reader loads the ten packs, reading a commit from one of them...
    auto reader = Mirror::open(temp.path() / "cache", source.file_url());
    REQUIRE(reader.ok());
    check_reads(*reader, shas[5], 5);
    const uint64_t generation = fmg::git::read_pack_generation(fetcher->path());

    // ...then the other Mirror's fetches merge them away.
    for (int n = 11; n <= 20; ++n) shas.push_back(push_and_fetch(source, *fetcher, n));
    REQUIRE(fmg::git::read_pack_generation(fetcher->path()) > generation);

    for (int n = 0; n <= 20; ++n) check_reads(*reader, shas[static_cast<size_t>(n)], n);
    REQUIRE(reader->checkout(shas[7], temp.path() / "work").ok());
    CHECK(slurp(temp.path() / "work" / "7.txt") == "7");
}
