// The agent protocol's limits (PROTOCOL.md 5) enforced while a config is parsed: every value
// that goes into an `assign` frame, every list and map, and the whole frame. Each error points
// at the offending value (1-based line and column) and names the limit.

#include <catch2/catch.hpp>
#include <string>

#include "shared/pipeline/builtin_variables.h"
#include "shared/pipeline/wire_fit.h"
#include "shared/wire_limits.h"
#include "tests/unit/shared/pipeline_test_helpers.h"

using namespace fmg::pipeline;
using namespace fmg::pipeline::testing;
using fmg::wire::kMaxFrameBytes;
using fmg::wire::kMaxListItems;
using fmg::wire::kMaxMapEntries;
using fmg::wire::kMaxNameBytes;
using fmg::wire::kMaxTextBytes;

namespace {

void check_error(const std::string& yaml, int line, int column, std::string_view message_part) {
    const ParseError error = parse_error(yaml);
    INFO(error.to_string().substr(0, 400));
    CHECK(error.line == line);
    CHECK(error.column == column);
    CHECK_THAT(error.message, Catch::Contains(std::string(message_part)));
}

// A config of one job `build` whose docker list and steps are given (indented under the job).
std::string job_config(const std::string& docker, const std::string& steps,
                       const std::string& extra = "") {
    return "version: 2.1\njobs:\n  build:\n    docker:\n" + docker + "    steps:\n" + steps + extra;
}

const std::string kImage = "      - image: alpine\n";
const std::string kStep = "      - run: echo hi\n";

}  // namespace

TEST_CASE("a step command over kMaxTextBytes is refused at the command") {
    const std::string command(kMaxTextBytes + 1, 'x');
    check_error(job_config(kImage, "      - run: " + command + "\n"), 7, 14,
                "`run` is 262145 bytes; the agent protocol allows at most 262144 (256 KiB, "
                "kMaxTextBytes)");
    check_error(job_config(kImage, "      - run:\n          command: " + command + "\n"), 8, 20,
                "`command` is 262145 bytes");
    // Exactly at the limit is fine.
    parse_ok(job_config(kImage, "      - run: " + std::string(kMaxTextBytes, 'x') + "\n"));
}

TEST_CASE("step names and working directories over kMaxTextBytes are refused") {
    const std::string text(kMaxTextBytes + 1, 'n');
    check_error(
        job_config(kImage, "      - run:\n          command: make\n          name: " + text + "\n"),
        9, 17, "`name` is 262145 bytes");
    check_error(
        job_config(kImage, "      - run:\n          command: make\n          working_directory: " +
                               text + "\n"),
        9, 30, "`working_directory` is 262145 bytes");
    check_error(job_config(kImage, kStep, "    working_directory: " + text + "\n"), 8, 24,
                "`working_directory` is 262145 bytes");
}

TEST_CASE("an image or service image over kMaxNameBytes is refused at the image") {
    const std::string image(kMaxNameBytes + 1, 'i');
    check_error(job_config("      - image: " + image + "\n", kStep), 5, 16,
                "`image` is 1025 bytes; the agent protocol allows at most 1024 (1 KiB, "
                "kMaxNameBytes)");
    check_error(job_config(kImage + "      - image: " + image + "\n", kStep), 6, 16,
                "`image` is 1025 bytes");
    parse_ok(job_config("      - image: " + std::string(kMaxNameBytes, 'i') + "\n", kStep));
}

TEST_CASE("more services than kMaxListItems are refused at `docker`") {
    std::string docker;
    for (size_t i = 0; i <= kMaxListItems + 1; ++i) docker += "      - image: a\n";
    check_error(job_config(docker, kStep), 4, 5,
                "`docker` has 1025 entries; the agent protocol allows at most 1024");
}

TEST_CASE("environment: names over kMaxNameBytes, values over kMaxTextBytes, NUL, count") {
    const std::string long_name(kMaxNameBytes + 1, 'N');
    // YAML limits implicit keys to 1024 characters: a longer one needs `? ` (explicit key).
    check_error(
        job_config(kImage, kStep, "    environment:\n      ? " + long_name + "\n      : x\n"), 9, 9,
        "environment variable name is 1025 bytes");
    const std::string long_value(kMaxTextBytes + 1, 'v');
    check_error(job_config(kImage, kStep, "    environment:\n      A: " + long_value + "\n"), 9, 10,
                "the value of `A` is 262145 bytes");
    check_error(job_config(kImage,
                           "      - run:\n          command: make\n          environment:\n"
                           "            B: " +
                               long_value + "\n"),
                10, 16, "the value of `B` is 262145 bytes");
    check_error(job_config(kImage, kStep, "    environment:\n      A: \"x\\0y\"\n"), 9, 10,
                "`A` has a NUL character in its value");
    std::string many = "    environment:\n";
    for (size_t i = 0; i <= kMaxMapEntries; ++i) many += "      V" + std::to_string(i) + ": x\n";
    check_error(job_config(kImage, kStep, many), 8, 5,
                "`environment` has 1025 entries; the agent protocol allows at most 1024 "
                "(kMaxMapEntries)");
}

TEST_CASE("a job's environment leaves room in kMaxMapEntries for the variables fmg adds") {
    // The assign carries the job's variables and fmg's built-in ones in one map.
    auto environment = [](size_t count) {
        std::string text = "    environment:\n";
        for (size_t i = 0; i < count; ++i) text += "      V" + std::to_string(i) + ": x\n";
        return text;
    };
    CHECK(kMaxJobEnvironmentEntries == kMaxMapEntries - kBuiltinVariables.size());
    parse_ok(job_config(kImage, kStep, environment(kMaxJobEnvironmentEntries)));
    check_error(job_config(kImage, kStep, environment(kMaxJobEnvironmentEntries + 1)), 3, 3,
                "job `build` has more than 1004 environment variables (kMaxMapEntries, less the "
                "20 fmg sets)");
}

TEST_CASE("a job whose assign frame would pass kMaxFrameBytes is refused at the job") {
    // 32 commands of 250 KiB each (one anchor, aliased: the file stays small) are within
    // every per-value limit and the parser's read budget, but with the largest repository
    // URL, ref and sha the assign may carry they make a frame over 8 MiB.
    const std::string command(250 * 1024, 'c');
    std::string steps = "      - run: &big " + command + "\n";
    for (int i = 1; i < 32; ++i) steps += "      - run: *big\n";
    const ParseError error = parse_error(job_config(kImage, steps));
    INFO(error.to_string().substr(0, 400));
    CHECK(error.line == 3);
    CHECK(error.column == 3);
    CHECK_THAT(error.message, Catch::Contains("job `build` is too large to send to a runner"));
    CHECK_THAT(error.message, Catch::Contains("8388608 (8 MiB, kMaxFrameBytes)"));

    // 30 of them fit, whatever repository URL, ref and sha the assign will carry, and the
    // built-in variables with it (CIRCLE_REPOSITORY_URL repeats the URL: up to 256 KiB more).
    std::string fewer = "      - run: &big " + command + "\n";
    for (int i = 1; i < 30; ++i) fewer += "      - run: *big\n";
    const Config config = parse_ok(job_config(kImage, fewer));
    CHECK(detail::assign_frame_bound(only_job(config)) <= kMaxFrameBytes);
}
