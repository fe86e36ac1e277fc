// The store_artifacts step on the agent (job/store_artifacts.h) with the shell executor's
// archive writer (files/tar_writer.h) and the tar reader: what each file is named, what is
// skipped, what is refused, and that the bytes uploaded are the file's.

#include "agent/job/store_artifacts.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <sstream>

#include "agent/files/tar_writer.h"
#include "executor_test_support.h"
#include "shared/crypto.h"

using namespace fmg;
using namespace fmg::agent;
using fmg::agent::testing::CollectedOutput;
using fmg::agent::testing::TempWorkspace;

namespace {

/// A job whose files are a host directory: export_path archives what is under it, as the
/// shell executor does (relative paths only).
class DirectoryExecution final : public JobExecution {
  public:
    explicit DirectoryExecution(std::filesystem::path root) : root_(std::move(root)) {}
    StepExit run(const RunStep&, const OutputSink&) override { return {}; }
    Result<bool> export_path(const std::string& path,
                             const std::filesystem::path& archive) override {
        const auto source = root_ / path;
        std::error_code ec;
        if (!std::filesystem::exists(std::filesystem::symlink_status(source, ec))) return false;
        if (Status written = write_tar_of(source, archive); !written) return written.error();
        return true;
    }
    Status import_archive(const std::string&, const std::filesystem::path&) override {
        return Error{"not used here"};
    }
    void cancel() override {}
    void close() override {}

  private:
    std::filesystem::path root_;
};

struct Uploaded {
    std::string bytes;
    uint64_t size = 0;
    std::string sha256;
};

std::string file_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

/// Runs the step over `root`, collecting each upload by artifact name.
Status run_step(const std::filesystem::path& root, const std::filesystem::path& spool,
                const std::string& path, const std::string& destination,
                std::map<std::string, Uploaded>& uploads, CollectedOutput& output) {
    DirectoryExecution execution(root);
    protocol::StepSpec step;
    step.kind = protocol::StepKind::store_artifacts;
    step.paths = {path};
    step.destination = destination;
    return store_artifacts(
        execution, step, spool,
        [&](const std::filesystem::path& file, const std::string& name, uint64_t size,
            const std::string& sha256) -> Status {
            uploads[name] = {file_bytes(file), size, sha256};
            return {};
        },
        output.sink());
}

}  // namespace

TEST_CASE("a directory's files are uploaded under the destination, links skipped") {
    TempWorkspace job;
    const auto out = job.path() / "out";
    std::filesystem::create_directories(out / "sub" / "empty");
    std::ofstream(out / "report.txt") << "all passed\n";
    std::string binary;
    for (int i = 0; i < 300'000; ++i) binary.push_back(static_cast<char>(i * 31));
    std::ofstream(out / "sub" / "data.bin", std::ios::binary) << binary;
    std::filesystem::create_symlink("/etc/passwd", out / "passwd");

    std::map<std::string, Uploaded> uploads;
    CollectedOutput output;
    REQUIRE(run_step(job.path(), job.path() / "spool", "out", "reports", uploads, output));
    REQUIRE(uploads.size() == 2);
    CHECK(uploads.at("reports/report.txt").bytes == "all passed\n");
    const Uploaded& data = uploads.at("reports/sub/data.bin");
    CHECK(data.bytes == binary);
    CHECK(data.size == binary.size());
    CHECK(data.sha256 == crypto::sha256_hex(binary));
    CHECK(output.contains("Uploaded reports/sub/data.bin (300000 bytes)"));
    CHECK(output.contains("Skipped reports/passwd: a symbolic link (to /etc/passwd)"));
    CHECK(output.contains("Stored 2 artifacts (300011 bytes) from out"));
    // The spool holds nothing once the step is over.
    CHECK(std::filesystem::is_empty(job.path() / "spool"));
}

TEST_CASE("without a destination the path as written names them, a file path itself") {
    CHECK(default_artifact_destination("~/project/out") == "project/out");
    CHECK(default_artifact_destination("/tmp/site/") == "tmp/site");
    CHECK(default_artifact_destination("./out//x") == "out/x");
    CHECK(default_artifact_destination("~") == "");

    TempWorkspace job;
    std::filesystem::create_directories(job.path() / "out");
    std::ofstream(job.path() / "out" / "log.txt") << "x";
    std::map<std::string, Uploaded> uploads;
    CollectedOutput output;
    REQUIRE(run_step(job.path(), job.path() / "spool", "out/log.txt", "", uploads, output));
    CHECK(uploads.count("out/log.txt") == 1);
    uploads.clear();
    REQUIRE(run_step(job.path(), job.path() / "spool", "out/log.txt", "logs/latest.txt", uploads,
                     output));
    CHECK(uploads.count("logs/latest.txt") == 1);
}

TEST_CASE("nothing at the path is a line, not a failure, as on CircleCI") {
    TempWorkspace job;
    std::map<std::string, Uploaded> uploads;
    CollectedOutput output;
    CHECK(run_step(job.path(), job.path() / "spool", "missing", "", uploads, output));
    CHECK(uploads.empty());
    CHECK(output.contains("No artifact files found at missing"));
}

TEST_CASE("a name that would leave the artifacts' directory fails the step, uploads nothing") {
    TempWorkspace job;
    std::filesystem::create_directories(job.path() / "out");
    std::ofstream(job.path() / "out" / "a.txt") << "x";
    std::map<std::string, Uploaded> uploads;
    CollectedOutput output;
    for (const char* destination : {"../up", "a/../../b", "x/.."}) {
        INFO(destination);
        Status stored =
            run_step(job.path(), job.path() / "spool", "out", destination, uploads, output);
        REQUIRE_FALSE(stored);
        CHECK_THAT(stored.error().message, Catch::Contains("is refused: it goes up a directory"));
    }
    CHECK(uploads.empty());
}

TEST_CASE("an upload the coordinator refuses fails the step with its reason") {
    TempWorkspace job;
    std::filesystem::create_directories(job.path() / "out");
    std::ofstream(job.path() / "out" / "a.txt") << "x";
    DirectoryExecution execution(job.path());
    protocol::StepSpec step;
    step.kind = protocol::StepKind::store_artifacts;
    step.paths = {"out"};
    CollectedOutput output;
    Status stored = store_artifacts(
        execution, step, job.path() / "spool",
        [](const std::filesystem::path&, const std::string&, uint64_t, const std::string&) {
            return Status{Error{"the coordinator's disk is full"}};
        },
        output.sink());
    REQUIRE_FALSE(stored);
    CHECK(stored.error().message == "uploading out/a.txt: the coordinator's disk is full");
    CHECK_FALSE(output.contains("Uploaded"));
}
