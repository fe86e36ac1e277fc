// Workspaces on the agent (job/workspace_steps.h, files/layer_entries.h): what a persist
// pattern selects and how it is named in the layer, layers attached in order, and layers
// holding entries that would leave the workspace (crafted here with libarchive, as an
// attacker would) refused whole.

#include "agent/job/workspace_steps.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <sstream>

#include "agent/files/layer_entries.h"
#include "agent/files/tar_extract.h"
#include "agent/files/tar_writer.h"
#include "directory_execution.h"
#include "executor_test_support.h"

using namespace fmg;
using namespace fmg::agent;
using fmg::agent::testing::CollectedOutput;
using fmg::agent::testing::crafted_tar;
using fmg::agent::testing::DirectoryExecution;
using fmg::agent::testing::TempWorkspace;
using fmg::agent::testing::text_of;
using fmg::agent::testing::write;
namespace fs = std::filesystem;

namespace {

/// Persists `paths` under `root` in `job`; the layers stored, by digest.
Status persist(const fs::path& job, const std::string& root, std::vector<std::string> paths,
               std::map<std::string, std::string>& blobs, std::vector<std::string>& order) {
    DirectoryExecution execution(job);
    protocol::StepSpec step;
    step.kind = protocol::StepKind::persist_to_workspace;
    step.root = root;
    step.paths = std::move(paths);
    CollectedOutput output;
    return persist_to_workspace(
        execution, step, job / ".spool",
        [&](const fs::path& file, uint64_t size, const std::string& sha256) -> Status {
            CHECK(size == fs::file_size(file));
            blobs[sha256] = text_of(file);
            order.push_back(sha256);
            return {};
        },
        output.sink());
}

Status attach(const fs::path& job, const std::string& at, const std::vector<std::string>& layers,
              const std::map<std::string, std::string>& blobs, CollectedOutput& output) {
    DirectoryExecution execution(job);
    protocol::StepSpec step;
    step.kind = protocol::StepKind::attach_workspace;
    step.at = at;
    step.layers = layers;
    return attach_workspace(
        execution, step, job / ".spool",
        [&](const std::string& sha256, const fs::path& file) -> Status {
            std::ofstream(file, std::ios::binary) << blobs.at(sha256);
            return {};
        },
        output.sink());
}

}  // namespace

TEST_CASE("persist patterns select as CircleCI's globs do, part by part") {
    CHECK(pattern_selects("bin", "bin"));
    CHECK(pattern_selects("bin", "bin/app"));
    CHECK_FALSE(pattern_selects("bin", "binary"));
    CHECK(pattern_selects("dist/*.tar.gz", "dist/app-1.tar.gz"));
    CHECK_FALSE(pattern_selects("dist/*.tar.gz", "dist/sub/app.tar.gz"));
    CHECK(pattern_selects("*", ".hidden"));  // Go's Match: no rule for leading dots
    CHECK(pattern_selects("./lib//*.so", "lib/libx.so"));
    CHECK(literal_prefix("dist/*.tar.gz") == "dist");
    CHECK(literal_prefix("a/b/c") == "a/b/c");
    CHECK(literal_prefix("*") == "");
    CHECK(literal_prefix("a/[bc]/d") == "a");
}

TEST_CASE("entries that would leave the workspace are named, links inside are kept") {
    auto reason = [](std::string path, TarEntry::Type type, std::string target = "") {
        return unsafe_entry_reason(TarEntry{std::move(path), type, 0, std::move(target)});
    };
    CHECK_FALSE(reason("bin/tool", TarEntry::Type::symlink, "../lib/tool.js"));
    CHECK_FALSE(reason("a/b/c", TarEntry::Type::symlink, "../../x"));
    CHECK(reason("a/b/c", TarEntry::Type::symlink, "../../../x"));
    CHECK(reason("link", TarEntry::Type::symlink, "/etc"));
    CHECK(reason("link", TarEntry::Type::symlink, ".."));
    CHECK(reason("../x", TarEntry::Type::file));
    CHECK(reason("/etc/passwd", TarEntry::Type::file));
}

TEST_CASE("layers persisted from two roots attach at one place, the later winning") {
    TempWorkspace build;
    write(build.path() / "out/bin/app", "app v1\n");
    write(build.path() / "out/lib/a.so", "a");
    write(build.path() / "out/lib/b.txt", "b");
    write(build.path() / "out/version", "first\n");
    fs::create_symlink("../lib/a.so", build.path() / "out/bin/a-link");
    TempWorkspace release;
    write(release.path() / "w/version", "second\n");

    std::map<std::string, std::string> blobs;
    std::vector<std::string> order;
    REQUIRE(persist(build.path(), "out", {"bin", "lib/*.so", "version"}, blobs, order));
    REQUIRE(persist(release.path(), "w", {"."}, blobs, order));
    REQUIRE(order.size() == 2);

    TempWorkspace test;
    CollectedOutput output;
    Status attached = attach(test.path(), "ws", order, blobs, output);
    INFO((attached ? std::string("attached") : attached.error().message));
    REQUIRE(attached);
    CHECK(text_of(test.path() / "ws/bin/app") == "app v1\n");
    CHECK(text_of(test.path() / "ws/bin/a-link") == "a");  // the link, followed inside
    CHECK(fs::is_symlink(test.path() / "ws/bin/a-link"));
    CHECK(fs::exists(test.path() / "ws/lib/a.so"));
    CHECK_FALSE(fs::exists(test.path() / "ws/lib/b.txt"));  // not selected
    CHECK(text_of(test.path() / "ws/version") == "second\n");
    CHECK(output.contains("Attached 2 layers"));
}

TEST_CASE("a persist path that selects nothing or leaves the root fails the step") {
    TempWorkspace job;
    write(job.path() / "out/a.txt", "a");
    std::map<std::string, std::string> blobs;
    std::vector<std::string> order;
    Status none = persist(job.path(), "out", {"*.jar"}, blobs, order);
    REQUIRE_FALSE(none);
    CHECK(none.error().message == "path '*.jar' matched nothing under out");
    Status missing = persist(job.path(), "out", {"nope"}, blobs, order);
    REQUIRE_FALSE(missing);
    CHECK_THAT(missing.error().message, Catch::Contains("nothing at out/nope"));
    Status up = persist(job.path(), "out", {"../secrets"}, blobs, order);
    REQUIRE_FALSE(up);
    CHECK_THAT(up.error().message, Catch::Contains("path '../secrets' is refused"));
    fs::create_symlink("/etc", job.path() / "out/etc");
    Status link = persist(job.path(), "out", {"."}, blobs, order);
    REQUIRE_FALSE(link);
    CHECK_THAT(link.error().message, Catch::Contains("'etc' is a symbolic link to /etc"));
    CHECK(order.empty());
}

TEST_CASE("a malicious layer is refused whole: nothing of it is unpacked") {
    for (const auto& entries : std::vector<std::vector<std::pair<std::string, std::string>>>{
             {{"ok.txt", ""}, {"../escaped.txt", ""}},
             {{"ok.txt", ""}, {"/tmp/fmg-absolute-evil.txt", ""}},
             {{"ok.txt", ""}, {"link", "/etc"}, {"link/passwd", ""}},
             {{"ok.txt", ""}, {"up", "../../.."}},
         }) {
        const std::string layer = crafted_tar(entries);
        const std::map<std::string, std::string> blobs{{"evil", layer}};
        TempWorkspace job;
        CollectedOutput output;
        Status attached = attach(job.path(), "ws", {"evil"}, blobs, output);
        INFO(entries.back().first);
        REQUIRE_FALSE(attached);
        CHECK_THAT(attached.error().message, Catch::Contains("layer evil is refused: it holds"));
        CHECK_FALSE(fs::exists(job.path() / "ws/ok.txt"));
        CHECK_FALSE(fs::exists(job.path() / "escaped.txt"));
        CHECK_FALSE(fs::exists("/tmp/fmg-absolute-evil.txt"));
    }
}

TEST_CASE("attaching without layers says no upstream job persisted one") {
    TempWorkspace job;
    CollectedOutput output;
    Status attached = attach(job.path(), "ws", {}, {}, output);
    REQUIRE_FALSE(attached);
    CHECK_THAT(attached.error().message,
               Catch::Contains("no job this one requires (directly or through others) "
                               "persisted a workspace"));
}
