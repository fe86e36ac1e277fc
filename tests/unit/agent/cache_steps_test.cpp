// Caches on the agent (job/cache_keys.h, job/cache_steps.h): CircleCI's key templates, where a
// saved path goes back, and save and restore against a stand-in for the coordinator's answers
// (the real one is in the integration tests): never overwriting, prefix look-ups, entries
// that would leave their place left out on save and refused on restore.

#include "agent/job/cache_steps.h"

#include <catch2/catch.hpp>
#include <map>

#include "directory_execution.h"
#include "shared/crypto.h"

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

CacheKeyContext sample_context() {
    CacheKeyContext context;
    context.environment = {{"CIRCLE_BRANCH", "feature/x"},
                           {"CIRCLE_SHA1", "0123abcd"},
                           {"CIRCLE_BUILD_NUM", "42"},
                           {"CACHE_VERSION", "v7"}};
    context.checksum = [](const std::string& path) -> Result<std::string> {
        if (path == "missing.lock") return Error{"no file at missing.lock"};
        return "sum(" + path + ")";
    };
    context.epoch_seconds = 1767225600;
    context.arch = "arch1-linux-amd64";
    return context;
}

/// What the coordinator keeps, for one repository: caches by key, in the order saved, and
/// blobs by digest.
struct FakeCaches {
    std::vector<std::pair<std::string, std::vector<protocol::CachePart>>> caches;
    std::map<std::string, std::string> blobs;
    std::map<uint64_t, protocol::CachePart> uploads;
    uint64_t next_upload = 0;

    FindCache find() {
        return [this](const std::vector<std::string>& keys,
                      bool exact) -> Result<protocol::CacheAnswer> {
            protocol::CacheAnswer answer;
            for (const auto& key : keys) {
                for (auto it = caches.rbegin(); it != caches.rend(); ++it) {  // newest first
                    const bool match = exact ? it->first == key : it->first.rfind(key, 0) == 0;
                    if (!match) continue;
                    answer.key = it->first;
                    answer.parts = it->second;
                    return answer;
                }
            }
            return answer;
        };
    }
    UploadCachePart upload() {
        return [this](const fs::path& file, const std::string& place, uint64_t size,
                      const std::string& sha256) -> Result<uint64_t> {
            blobs[sha256] = text_of(file);
            uploads[++next_upload] = {place, sha256, size};
            return next_upload;
        };
    }
    SaveCache save() {
        return [this](const std::string& key,
                      const std::vector<uint64_t>& ids) -> Result<protocol::CacheAnswer> {
            protocol::CacheAnswer answer;
            answer.key = key;
            for (const auto& [name, parts] : caches) {
                if (name == key) answer.existed = true;
            }
            if (answer.existed) return answer;
            std::vector<protocol::CachePart> parts;
            for (uint64_t id : ids) parts.push_back(uploads.at(id));
            caches.emplace_back(key, parts);
            return answer;
        };
    }
    FetchLayer fetch() {
        return [this](const std::string& sha256, const fs::path& file) -> Status {
            std::ofstream(file, std::ios::binary) << blobs.at(sha256);
            return {};
        };
    }
};

protocol::StepSpec save_step(const std::string& key, std::vector<std::string> paths) {
    protocol::StepSpec step;
    step.kind = protocol::StepKind::save_cache;
    step.keys = {key};
    step.paths = std::move(paths);
    return step;
}

protocol::StepSpec restore_step(std::vector<std::string> keys) {
    protocol::StepSpec step;
    step.kind = protocol::StepKind::restore_cache;
    step.keys = std::move(keys);
    return step;
}

Status save_in(const fs::path& job, FakeCaches& store, const protocol::StepSpec& step,
               CollectedOutput& output, const CacheKeyContext& context = sample_context()) {
    DirectoryExecution execution(job);
    return save_cache(execution, step, context, job / ".spool", store.find(), store.upload(),
                      store.save(), output.sink());
}

Status restore_in(const fs::path& job, FakeCaches& store, const protocol::StepSpec& step,
                  CollectedOutput& output) {
    DirectoryExecution execution(job);
    return restore_cache(execution, step, sample_context(), job / ".spool", store.find(),
                         store.fetch(), output.sink());
}

}  // namespace

TEST_CASE("cache keys render CircleCI's templates") {
    const CacheKeyContext context = sample_context();
    CHECK(render_cache_key("deps-{{ .Branch }}-{{ .Revision }}-{{.BuildNum}}", context).value() ==
          "deps-feature/x-0123abcd-42");
    CHECK(render_cache_key("{{ .Environment.CACHE_VERSION }}-{{ checksum \"go.sum\" }}", context)
              .value() == "v7-sum(go.sum)");
    CHECK(render_cache_key("t-{{ epoch }}-{{ arch }}", context).value() ==
          "t-1767225600-arch1-linux-amd64");
    // Go's templates print a missing variable as "<no value>", and so do CircleCI's keys.
    CHECK(render_cache_key("x-{{ .Environment.NOT_SET }}", context).value() == "x-<no value>");
    CHECK(render_cache_key("plain-key", context).value() == "plain-key");
}

TEST_CASE("a cache key with an unknown, unclosed or unreadable template is refused by name") {
    const CacheKeyContext context = sample_context();
    auto unknown = render_cache_key("x-{{ .Brnach }}", context);
    REQUIRE_FALSE(unknown);
    CHECK_THAT(unknown.error().message, Catch::Contains("unknown template {{ .Brnach }}"));
    auto unclosed = render_cache_key("x-{{ .Branch", context);
    REQUIRE_FALSE(unclosed);
    CHECK_THAT(unclosed.error().message, Catch::Contains("'{{' without '}}'"));
    auto missing = render_cache_key("x-{{ checksum \"missing.lock\" }}", context);
    REQUIRE_FALSE(missing);
    CHECK_THAT(missing.error().message, Catch::Contains("no file at missing.lock"));
    CHECK_FALSE(render_cache_key("x-{{ checksum go.sum }}", context));
    CHECK_FALSE(render_cache_key("{{ .Environment.$(id) }}", context));
    CHECK_FALSE(render_cache_key(std::string(901, 'k'), context));
    CacheKeyContext newline = context;
    newline.environment["CIRCLE_BRANCH"] = "a\nb";
    CHECK_FALSE(render_cache_key("{{ .Branch }}", newline));
}

TEST_CASE("checksum is CircleCI's base64 SHA-256 of the file's bytes, read from the job") {
    TempWorkspace job;
    write(job.path() / "package-lock.json", "{}\n");
    DirectoryExecution execution(job.path());
    auto sum = checksum_in_job(execution, "package-lock.json", job.path() / "scratch.tar");
    REQUIRE(sum.ok());
    crypto::Sha256 expected;
    expected.update("{}\n");
    CHECK(*sum == crypto::base64_encode(expected.finish_bytes()));
    CHECK(crypto::base64_encode(std::string()) == "");
    CHECK(crypto::base64_encode("fmg") == "Zm1n");
    CHECK_FALSE(checksum_in_job(execution, "nothing-here", job.path() / "scratch.tar"));
    fs::create_directories(job.path() / "dir");
    CHECK_FALSE(checksum_in_job(execution, "dir", job.path() / "scratch.tar"));
}

TEST_CASE("a saved path goes back to the place that holds it, as the step named it") {
    CHECK(cache_place("node_modules").value() == ".");
    CHECK(cache_place("vendor/bundle/").value() == "vendor");
    CHECK(cache_place("~/.npm").value() == "~");
    CHECK(cache_place("/go/pkg/mod").value() == "/go/pkg");
    CHECK(cache_place("/cache").value() == "/");
    for (const char* nowhere : {"", ".", "./", "~", "/"}) CHECK_FALSE(cache_place(nowhere));
}

TEST_CASE("a cache saved in one job is restored in another, under its own working directory") {
    TempWorkspace first;
    TempWorkspace second;
    FakeCaches store;
    write(first.path() / "node_modules/left-pad/index.js", "module.exports = 1;\n");
    write(first.path() / "vendor/bundle/gems/rake.rb", "rake\n");
    fs::create_symlink("left-pad/index.js", first.path() / "node_modules/alias.js");
    CollectedOutput saved;
    REQUIRE(save_in(first.path(), store,
                    save_step("v1-{{ .Branch }}", {"node_modules", "vendor/bundle"}), saved)
                .ok());
    CHECK_THAT(saved.text(), Catch::Contains("Stored cache v1-feature/x: 2 paths"));
    REQUIRE(store.caches.size() == 1);
    CHECK(store.caches[0].second.at(0).path == ".");
    CHECK(store.caches[0].second.at(1).path == "vendor");

    CollectedOutput restored;
    REQUIRE(restore_in(second.path(), store, restore_step({"v1-{{ .Branch }}"}), restored).ok());
    CHECK_THAT(restored.text(), Catch::Contains("Restored cache v1-feature/x"));
    CHECK(text_of(second.path() / "node_modules/left-pad/index.js") == "module.exports = 1;\n");
    CHECK(text_of(second.path() / "vendor/bundle/gems/rake.rb") == "rake\n");
    CHECK(fs::read_symlink(second.path() / "node_modules/alias.js") == "left-pad/index.js");
}

TEST_CASE("a key that exists is never overwritten, and saving it again uploads nothing") {
    TempWorkspace job;
    FakeCaches store;
    write(job.path() / "deps/a.txt", "first\n");
    CollectedOutput first;
    REQUIRE(save_in(job.path(), store, save_step("deps", {"deps"}), first).ok());
    write(job.path() / "deps/a.txt", "second\n");
    CollectedOutput again;
    REQUIRE(save_in(job.path(), store, save_step("deps", {"deps"}), again).ok());
    CHECK_THAT(again.text(),
               Catch::Contains("Skipping cache generation, cache already exists for key: deps"));
    CHECK(store.next_upload == 1);
    TempWorkspace other;
    CollectedOutput restored;
    REQUIRE(restore_in(other.path(), store, restore_step({"deps"}), restored).ok());
    CHECK(text_of(other.path() / "deps/a.txt") == "first\n");
}

TEST_CASE("restore tries keys in order, each a prefix, and the newest match wins") {
    TempWorkspace job;
    FakeCaches store;
    for (const std::string version : {"1", "2"}) {
        write(job.path() / "deps/v.txt", version);
        CollectedOutput output;
        REQUIRE(
            save_in(job.path(), store, save_step("deps-main-" + version, {"deps"}), output).ok());
    }
    TempWorkspace other;
    CollectedOutput restored;
    REQUIRE(restore_in(other.path(), store, restore_step({"deps-feature-9", "deps-main-", "deps-"}),
                       restored)
                .ok());
    CHECK_THAT(restored.text(), Catch::Contains("Found a cache at key deps-main-2"));
    CHECK(text_of(other.path() / "deps/v.txt") == "2");

    CollectedOutput miss;
    REQUIRE(
        restore_in(other.path(), store, restore_step({"nothing-", "{{ .Brnach }}"}), miss).ok());
    CHECK_THAT(miss.text(), Catch::Contains("Skipping a key:"));
    CHECK_THAT(miss.text(), Catch::Contains("No cache is found for keys: nothing-"));
}

TEST_CASE("save_cache with nothing at its paths stores nothing and succeeds") {
    TempWorkspace job;
    FakeCaches store;
    CollectedOutput output;
    REQUIRE(save_in(job.path(), store, save_step("deps", {"not-there", "neither"}), output).ok());
    CHECK_THAT(output.text(), Catch::Contains("Warning: nothing at not-there"));
    CHECK_THAT(output.text(), Catch::Contains("Skipping cache generation, no files found"));
    CHECK(store.caches.empty());
}

TEST_CASE("a link pointing out of the cache is left out on save, with a line") {
    TempWorkspace job;
    FakeCaches store;
    write(job.path() / "venv/lib/site.py", "site\n");
    fs::create_directories(job.path() / "venv/bin");
    fs::create_symlink("/usr/bin/python3", job.path() / "venv/bin/python");
    CollectedOutput output;
    REQUIRE(save_in(job.path(), store, save_step("venv", {"venv"}), output).ok());
    CHECK_THAT(output.text(), Catch::Contains("Left out of the cache:"));
    TempWorkspace other;
    CollectedOutput restored;
    REQUIRE(restore_in(other.path(), store, restore_step({"venv"}), restored).ok());
    CHECK(text_of(other.path() / "venv/lib/site.py") == "site\n");
    CHECK_FALSE(fs::exists(fs::symlink_status(other.path() / "venv/bin/python")));
}

TEST_CASE("a crafted cache holding entries that leave their place is refused whole") {
    const std::vector<std::vector<std::pair<std::string, std::string>>> attacks{
        {{"deps/ok.txt", ""}, {"../escaped.txt", ""}},
        {{"deps/ok.txt", ""}, {"/etc/evil.txt", ""}},
        {{"deps/ok.txt", ""}, {"deps/link", "/etc"}},
        {{"deps/ok.txt", ""}, {"deps/up", "../../.."}},
    };
    for (const auto& entries : attacks) {
        TempWorkspace job;
        FakeCaches store;
        const std::string tar = crafted_tar(entries);
        const std::string digest = crypto::sha256_hex(tar);
        store.blobs[digest] = tar;
        store.caches.push_back({"evil", {{".", digest, tar.size()}}});
        CollectedOutput output;
        auto restored = restore_in(job.path() / "work", store, restore_step({"evil"}), output);
        REQUIRE_FALSE(restored);
        CHECK_THAT(restored.error().message, Catch::Contains("cache evil is refused"));
        CHECK_FALSE(fs::exists(job.path() / "work/deps/ok.txt"));
        CHECK_FALSE(fs::exists(job.path() / "escaped.txt"));
    }
}
