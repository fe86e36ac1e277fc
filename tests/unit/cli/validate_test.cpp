// fmg validate on sample configs: the jobs in order, or FILE:LINE:COL of the problem.

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "cli_harness.h"
#include "shared/exit_codes.h"

using namespace fmg::cli;
using namespace fmg::cli::testing;
namespace exit_code = fmg::exit_code;

namespace {

std::string sample(const std::string& name) {
    return std::string(FMG_SOURCE_DIR) + "/tests/unit/cli/samples/" + name;
}

}  // namespace

TEST_CASE("validate lists a workflow's jobs in the order they run") {
    const std::string file = sample("workflow.yml");
    auto result = run_fmg({"validate", file});
    CHECK(result.exit_code == exit_code::kOk);
    CHECK(result.err.empty());
    CHECK(result.out == file +
                            ": valid, version 2.1, 3 jobs, in order:\n"
                            "1. build (workflow ci): image cimg/base:stable, 3 steps\n"
                            "2. test (workflow ci): image cimg/base:stable with services "
                            "postgres:16, 2 steps, requires build\n"
                            "3. deploy (workflow ci): image alpine:3.19, 1 step, requires test\n");
}

TEST_CASE("validate --branch and --tag apply the workflow's filters") {
    const std::string file = sample("workflow.yml");
    auto feature = run_fmg({"validate", file, "--branch", "feature/x"});
    CHECK(feature.exit_code == exit_code::kOk);
    CHECK(feature.out.rfind(file + ": valid, version 2.1, 2 jobs for branch feature/x, in order:\n",
                            0) == 0);
    CHECK(feature.out.find("deploy") == std::string::npos);

    auto main = run_fmg({"validate", file, "--branch", "main"});
    CHECK(main.out.find("3. deploy") != std::string::npos);

    auto tag = run_fmg({"validate", file, "--tag", "v1.0"});
    CHECK(tag.exit_code == exit_code::kOk);
    CHECK(tag.out == file + ": valid, version 2.1, 0 jobs for tag v1.0\n");
}

TEST_CASE("validate without workflows shows the build job, --json describes it") {
    const std::string file = sample("no_workflows.yml");
    auto result = run_fmg({"validate", file});
    CHECK(result.exit_code == exit_code::kOk);
    CHECK(result.out == file +
                            ": valid, version 2, 1 job, in order:\n"
                            "1. build: image golang:1.22, 2 steps\n");

    auto json = run_fmg({"validate", "--json", file});
    CHECK(json.exit_code == exit_code::kOk);
    auto root = Poco::JSON::Parser().parse(json.out).extract<Poco::JSON::Object::Ptr>();
    CHECK(root->getValue<std::string>("file") == file);
    CHECK(root->getValue<std::string>("version") == "2");
    auto job = root->getArray("jobs")->getObject(0);
    CHECK(job->getValue<std::string>("name") == "build");
    CHECK(job->getValue<std::string>("image") == "golang:1.22");
    CHECK(job->getValue<int>("steps") == 2);
    CHECK(job->getArray("requires")->size() == 0);
}

TEST_CASE("validate shows approval and no-op jobs for what they are") {
    const std::string file = sample("approval.yml");
    auto result = run_fmg({"validate", file});
    CHECK(result.exit_code == exit_code::kOk);
    CHECK(result.out == file +
                            ": valid, version 2, 4 jobs, in order:\n"
                            "1. build (workflow release): image alpine:3.19, 1 step\n"
                            "2. hold (workflow release): approval, requires build\n"
                            "3. deploy (workflow release): image alpine:3.19, 1 step, requires "
                            "hold\n"
                            "4. done (workflow release): no-op, requires deploy\n");

    auto json = run_fmg({"validate", "--json", file});
    auto root = Poco::JSON::Parser().parse(json.out).extract<Poco::JSON::Object::Ptr>();
    auto jobs = root->getArray("jobs");
    CHECK(jobs->getObject(0)->getValue<std::string>("type") == "build");
    CHECK(jobs->getObject(1)->getValue<std::string>("type") == "approval");
    CHECK(jobs->getObject(1)->getValue<int>("steps") == 0);
    CHECK(jobs->getObject(3)->getValue<std::string>("type") == "no-op");
}

TEST_CASE("an invalid config prints FILE:LINE:COL: message and exits 1") {
    const std::string missing_image = sample("missing_image.yml");
    auto result = run_fmg({"validate", missing_image});
    CHECK(result.exit_code == exit_code::kFailed);
    CHECK(result.out.empty());
    CHECK(result.err.rfind(missing_image + ":8:3: ", 0) == 0);
    CHECK(result.err.find("job `lint` has no `docker` image") != std::string::npos);

    const std::string bad_yaml = sample("bad_yaml.yml");
    auto syntax = run_fmg({"validate", bad_yaml});
    CHECK(syntax.exit_code == exit_code::kFailed);
    CHECK(syntax.err.rfind(bad_yaml + ":4:1: ", 0) == 0);
}

TEST_CASE("validate reads .circleci/config.yml by default, a missing file is exit 4") {
    auto dir = std::filesystem::temp_directory_path() / "fmg-cli-validate-test";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir / ".circleci");
    auto previous = std::filesystem::current_path();
    std::filesystem::current_path(dir);

    auto missing = run_fmg({"validate"});
    CHECK(missing.exit_code == exit_code::kNotFound);
    CHECK(missing.err == "fmg: no config file .circleci/config.yml\n");

    std::filesystem::copy_file(sample("no_workflows.yml"), dir / ".circleci/config.yml");
    auto found = run_fmg({"validate"});
    CHECK(found.exit_code == exit_code::kOk);
    CHECK(found.out.rfind(".circleci/config.yml: valid, version 2, 1 job", 0) == 0);

    std::ofstream(dir / "empty.yml").flush();
    auto empty = run_fmg({"validate", "empty.yml"});
    CHECK(empty.exit_code == exit_code::kFailed);
    CHECK(empty.err.rfind("empty.yml:1:1: ", 0) == 0);

    auto directory = run_fmg({"validate", ".circleci"});
    CHECK(directory.exit_code == exit_code::kFailed);
    CHECK(directory.err == "fmg: cannot read .circleci: it is a directory\n");

    std::filesystem::current_path(previous);
    std::filesystem::remove_all(dir);
}

TEST_CASE("validate --expand prints the 2.1 config expanded, --param sets pipeline parameters") {
    const std::string file = sample("reuse.yml");
    auto expanded = run_fmg({"validate", file, "--expand"});
    CHECK(expanded.exit_code == exit_code::kOk);
    CHECK(expanded.out.find("./deploy.sh staging") != std::string::npos);
    CHECK(expanded.out.find("commands") == std::string::npos);

    auto production = run_fmg({"validate", file, "--expand", "--param", "target=production"});
    CHECK(production.exit_code == exit_code::kOk);
    CHECK(production.out.find("./deploy.sh production") != std::string::npos);

    auto wrong = run_fmg({"validate", file, "--param", "target=moon"});
    CHECK(wrong.exit_code == exit_code::kFailed);
    CHECK(wrong.err.find("must be one of `staging`, `production`, not `moon`") !=
          std::string::npos);

    auto twice = run_fmg({"validate", file, "--param", "target=a", "--param", "target=b"});
    CHECK(twice.exit_code == exit_code::kUsage);
    CHECK(twice.err.find("--param target is given twice") != std::string::npos);
}

TEST_CASE("validate shows each job a matrix made with its values and a job's serial group") {
    const std::string file = sample("matrix.yml");
    auto result = run_fmg({"validate", file});
    CHECK(result.exit_code == exit_code::kOk);
    CHECK(result.out == file +
                            ": valid, version 2.1, 4 jobs, in order:\n"
                            "1. test-18-0 (workflow ci): image cimg/node:18, 2 steps, matrix "
                            "test (node=18, shard=0)\n"
                            "2. test-20-0 (workflow ci): image cimg/node:20, 2 steps, matrix "
                            "test (node=20, shard=0)\n"
                            "3. test-20-1 (workflow ci): image cimg/node:20, 2 steps, matrix "
                            "test (node=20, shard=1)\n"
                            "4. report (workflow ci): image alpine:3.19, 1 step, requires "
                            "test-18-0, test-20-0, test-20-1, serial group deploy/prod\n");

    auto json = run_fmg({"validate", file, "--json"});
    REQUIRE(json.exit_code == exit_code::kOk);
    Poco::JSON::Parser parser;
    const auto root = parser.parse(json.out).extract<Poco::JSON::Object::Ptr>();
    const auto jobs = root->getArray("jobs");
    REQUIRE(jobs->size() == 4);
    const auto matrix = jobs->getObject(2)->getObject("matrix");
    REQUIRE(matrix);
    CHECK(matrix->getValue<std::string>("alias") == "test");
    CHECK(matrix->getObject("parameters")->getValue<std::string>("node") == "20");
    CHECK(matrix->getObject("parameters")->getValue<std::string>("shard") == "1");
    CHECK(jobs->getObject(3)->isNull("matrix"));
    CHECK(jobs->getObject(2)->isNull("serial_group"));
    CHECK(jobs->getObject(3)->getValue<std::string>("serial_group") == "deploy/prod");
}
