// `circleci tests glob`: the pattern language and what the command prints, on a real tree.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "agent/circleci/commands.h"
#include "agent/circleci/glob.h"
#include "executor_test_support.h"

using namespace fmg::agent::circleci;
using fmg::agent::testing::TempWorkspace;

namespace {

using Paths = std::vector<std::string>;

void touch(const std::filesystem::path& file) {
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << "x";
}

// A checkout-like tree: txt files at several depths, a hidden one, a Go-style package dir.
struct Tree {
    TempWorkspace root;
    Tree() {
        for (const char* file :
             {"a.txt", "b.md", "docs/c.txt", "docs/deep/er/d.txt", "src/x/one.c", "src/y/two.c",
              "src/y/two.h", "src/z/three.c", ".hidden/e.txt", "odd[1].txt", "q1.txt", "q22.txt"}) {
            touch(root.path() / file);
        }
    }
    Paths glob(std::initializer_list<std::string> patterns) const {
        Paths expanded;
        for (const auto& pattern : patterns) {
            auto more = expand_braces(pattern);
            REQUIRE(more);
            expanded.insert(expanded.end(), more->begin(), more->end());
        }
        return glob_paths(expanded, root.path());
    }
};

}  // namespace

TEST_CASE("glob components: *, ?, sets, ranges, negation and escapes", "[circleci]") {
    CHECK(match_component("*.txt", "a.txt"));
    CHECK(match_component("*.txt", ".txt"));
    CHECK_FALSE(match_component("*.txt", "a.txt.bak"));
    CHECK(match_component("a*b*c", "axxbyyc"));
    CHECK_FALSE(match_component("a*b*c", "axxbyy"));
    CHECK(match_component("q?.txt", "q1.txt"));
    CHECK_FALSE(match_component("q?.txt", "q22.txt"));
    CHECK(match_component("[ab].c", "b.c"));
    CHECK_FALSE(match_component("[ab].c", "c.c"));
    CHECK(match_component("[a-c]x", "bx"));
    CHECK(match_component("[!a-c]x", "dx"));
    CHECK(match_component("[^a-c]x", "dx"));
    CHECK_FALSE(match_component("[!a-c]x", "ax"));
    CHECK(match_component("[]]", "]"));
    CHECK(match_component("[a-]", "-"));
    CHECK(match_component("\\*", "*"));
    CHECK_FALSE(match_component("\\*", "a"));
    CHECK(match_component("[", "["));  // no closing bracket: an ordinary character
    CHECK(match_component("**", "anything"));
    CHECK(match_component("", ""));
    CHECK_FALSE(match_component("", "a"));
}

TEST_CASE("glob braces expand in order, nested, and an unclosed brace stays literal",
          "[circleci]") {
    CHECK(*expand_braces("a{b,c}d") == Paths{"abd", "acd"});
    CHECK(*expand_braces("{x,y{1,2}}.c") == Paths{"x.c", "y1.c", "y2.c"});
    CHECK(*expand_braces("{a,b}/{c,d}") == Paths{"a/c", "a/d", "b/c", "b/d"});
    CHECK(*expand_braces("{,x}y") == Paths{"y", "xy"});
    CHECK(*expand_braces("a{b") == Paths{"a{b"});
    CHECK(*expand_braces("a\\{b,c}") == Paths{"a\\{b,c}"});
    // 13 groups of 2 are 8192 patterns: refused rather than walked.
    std::string many;
    for (int i = 0; i < 13; ++i) many += "{a,b}";
    CHECK_FALSE(expand_braces(many));
}

TEST_CASE("glob ** matches any depth of directories, none included", "[circleci]") {
    Tree tree;
    CHECK(tree.glob({"**/*.txt"}) == Paths{".hidden/e.txt", "a.txt", "docs/c.txt",
                                           "docs/deep/er/d.txt", "odd[1].txt", "q1.txt",
                                           "q22.txt"});
    CHECK(tree.glob({"docs/**/*.txt"}) == Paths{"docs/c.txt", "docs/deep/er/d.txt"});
    CHECK(tree.glob({"docs/**"}) ==
          Paths{"docs/c.txt", "docs/deep", "docs/deep/er", "docs/deep/er/d.txt"});
    CHECK(tree.glob({"**/two.*"}) == Paths{"src/y/two.c", "src/y/two.h"});
}

TEST_CASE("glob paths are written as the pattern is, sorted, each once", "[circleci]") {
    Tree tree;
    CHECK(tree.glob({"./docs/*.txt"}) == Paths{"./docs/c.txt"});
    CHECK(tree.glob({"src/*/*.c", "src/y/*"}) ==
          Paths{"src/x/one.c", "src/y/two.c", "src/y/two.h", "src/z/three.c"});
    CHECK(tree.glob({"src/{x,z}/*.c"}) == Paths{"src/x/one.c", "src/z/three.c"});
    CHECK(tree.glob({"src/*/"}) == Paths{"src/x", "src/y", "src/z"});  // directories only
    CHECK(tree.glob({"q?.txt"}) == Paths{"q1.txt"});
    CHECK(tree.glob({"odd\\[1\\].txt"}) == Paths{"odd[1].txt"});
    CHECK(tree.glob({"docs//c.txt"}) == Paths{"docs/c.txt"});
    const std::string absolute = (tree.root.path() / "docs" / "*.txt").string();
    CHECK(tree.glob({absolute}) == Paths{(tree.root.path() / "docs" / "c.txt").string()});
}

TEST_CASE("glob: no match prints nothing and exits 0, and no pattern is a usage error",
          "[circleci]") {
    Tree tree;
    CHECK(tree.glob({"**/*.rb", "nothere/*", "a.txt/x"}).empty());

    std::istringstream in;
    std::ostringstream out;
    std::ostringstream err;
    CommandContext context{
        "circleci",      in, out, err, [](const char*) -> const char* { return nullptr; },
        tree.root.path()};
    CHECK(run_command({"tests", "glob", "**/*.rb"}, context) == kCommandOk);
    CHECK(out.str().empty());
    CHECK(err.str().empty());

    CHECK(run_command({"tests", "glob", "**/*.c", "*.md"}, context) == kCommandOk);
    CHECK(out.str() == "b.md\nsrc/x/one.c\nsrc/y/two.c\nsrc/z/three.c\n");

    CHECK(run_command({"tests", "glob"}, context) == kCommandUsage);
    CHECK_THAT(err.str(), Catch::Contains("give at least one PATTERN"));
}

TEST_CASE("glob: ** does not follow a link to a directory, so a loop ends", "[circleci]") {
    Tree tree;
    std::filesystem::create_directory_symlink("..", tree.root.path() / "docs" / "up");
    auto found = tree.glob({"**/c.txt"});
    CHECK(found == Paths{"docs/c.txt"});
    // Named through the link, it is followed like any directory.
    CHECK(tree.glob({"docs/up/docs/c.txt"}) == Paths{"docs/up/docs/c.txt"});
}
