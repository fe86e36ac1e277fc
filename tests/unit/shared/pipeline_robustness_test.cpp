// Hostile and broken input: every one comes back as a ParseError with a position, quickly,
// and the bounds on size hold exactly at their limits.

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <string>
#include <variant>

#include "shared/pipeline/constants.h"
#include "tests/unit/shared/pipeline_test_helpers.h"

using namespace fmg::pipeline;
using namespace fmg::pipeline::testing;

namespace {

// Parses `text` and expects a ParseError; returns it.
ParseError refused(const std::string& text) {
    std::variant<Config, ParseError> result;
    REQUIRE_NOTHROW(result = parse_config(text, kConfigFile, RefContext{"main", ""}));
    REQUIRE(std::holds_alternative<ParseError>(result));
    const ParseError error = std::get<ParseError>(result);
    INFO(error.to_string());
    CHECK(error.line >= 1);
    CHECK(error.column >= 1);
    CHECK_FALSE(error.message.empty());
    return error;
}

std::string jobs_config(std::size_t jobs, std::size_t steps_per_job) {
    std::string text = "version: 2\njobs:\n";
    for (std::size_t j = 0; j < jobs; ++j) {
        text += "  job" + std::to_string(j) + ":\n    docker: [{image: alpine}]\n    steps:\n";
        for (std::size_t s = 0; s < steps_per_job; ++s) text += "      - run: step\n";
    }
    text += "workflows:\n  all:\n    jobs:\n";
    for (std::size_t j = 0; j < jobs; ++j) text += "      - job" + std::to_string(j) + "\n";
    return text;
}

}  // namespace

TEST_CASE("nasty input is refused, never thrown") {
    CHECK_THAT(refused("").message, Catch::Contains("must be a map"));
    CHECK_THAT(refused("   \n\n# only a comment\n").message, Catch::Contains("must be a map"));
    CHECK_THAT(refused("[").message, Catch::Contains("invalid YAML"));
    CHECK_THAT(refused("{").message, Catch::Contains("invalid YAML"));
    CHECK_THAT(refused("version: 2\njobs: *nowhere\n").message, Catch::Contains("invalid YAML"));
    CHECK_THAT(refused("version: 2\n\tjobs: {}\n").message, Catch::Contains("invalid YAML"));
    refused(std::string("\x00\x01\x02\xff\xfe\x7f", 6));
    refused(std::string("version: 2\njobs:\n  bu\x00ild: {}\n", 26));
    refused("\xef\xbb\xbf\xff\xff: [\x80\x81]");
    refused("? [a, b]\n: c\n");
    refused("version: !!binary aGVsbG8=\njobs: {}\n");
    refused("--- \n...\n--- \n");
}

TEST_CASE("deep nesting is refused by the YAML reader, not by a crash") {
    CHECK_THAT(refused(std::string(100'000, '[')).message, Catch::Contains("nested too deeply"));
    CHECK_THAT(refused(std::string(100'000, '{')).message, Catch::Contains("nested too deeply"));
    std::string block = "version: 2\njobs:\n";
    for (int depth = 0; depth < 1000; ++depth) block += std::string(depth + 2, ' ') + "-\n";
    CHECK_THAT(refused(block).message, Catch::Contains("nested too deeply"));
}

TEST_CASE("configs over 1 MiB are refused before parsing") {
    std::string text = "version: 2\n# " + std::string(kMaxConfigBytes, 'x') + "\n";
    const ParseError error = refused(text);
    CHECK(error.line == 1);
    CHECK_THAT(error.message, Catch::Contains("at most 1048576 (1 MiB)"));
}

TEST_CASE("at most 500 jobs and 1000 steps a job") {
    const Config most_jobs = parse_ok(jobs_config(kMaxJobs, 1));
    CHECK(most_jobs.jobs.size() == kMaxJobs);
    CHECK(most_jobs.jobs.back().name == "job499");
    CHECK_THAT(refused(jobs_config(kMaxJobs + 1, 1)).message,
               Catch::Contains("defines 501 jobs; at most 500"));

    CHECK(parse_ok(jobs_config(1, kMaxStepsPerJob)).jobs.front().steps.size() == kMaxStepsPerJob);
    const ParseError error = refused(jobs_config(1, kMaxStepsPerJob + 1));
    CHECK(error.line == 5);
    CHECK_THAT(error.message, Catch::Contains("has 1001 steps; at most 1000"));
}

TEST_CASE("aliases cannot multiply the work without bound") {
    // Each merge level repeats the one below ten times: 10^8 keys if expanded.
    std::string merges = "version: 2\nx-0: &m0 {A: b}\n";
    for (int level = 1; level <= 8; ++level) {
        const std::string below = "*m" + std::to_string(level - 1);
        merges += "x-" + std::to_string(level) + ": &m" + std::to_string(level) + " {<<: [";
        for (int copy = 0; copy < 10; ++copy) merges += (copy ? ", " : "") + below;
        merges += "]}\n";
    }
    merges +=
        "jobs:\n  build:\n    docker: [{image: a}]\n    steps: [checkout]\n"
        "    environment: *m8\n";
    CHECK_THAT(refused(merges).message, Catch::Contains("config too large"));

    // 500 jobs sharing one alias of 1000 steps, each step sharing a 100-variable environment.
    std::string shared = "version: 2\nx-env: &env {";
    for (int v = 0; v < 100; ++v)
        shared += (v ? ", " : "") + std::string("V") + std::to_string(v) + ": x";
    shared += "}\nx-steps: &steps\n";
    for (int s = 0; s < 1000; ++s) shared += "  - run: {command: x, environment: *env}\n";
    shared += "x-job: &job {docker: [{image: a}], steps: *steps}\njobs:\n";
    for (int j = 0; j < 500; ++j) shared += "  j" + std::to_string(j) + ": *job\n";
    CHECK_THAT(refused(shared).message, Catch::Contains("config too large"));
}

TEST_CASE("listing one large job many times is refused too") {
    std::string text = "version: 2\njobs:\n  big:\n    docker: [{image: a}]\n    steps:\n";
    for (int s = 0; s < 1000; ++s) text += "      - run: {command: x, environment: {A: b, C: d}}\n";
    text += "workflows:\n  w:\n    jobs:\n";
    for (int copy = 0; copy < 400; ++copy) {
        text += "      - big: {name: big" + std::to_string(copy) + "}\n";
    }
    CHECK_THAT(refused(text).message, Catch::Contains("the workflows list jobs that hold more"));
}

TEST_CASE("names from the config are cut and cleaned in messages") {
    const std::string long_name(5000, 'n');
    const ParseError error = refused(
        "version: 2\njobs:\n  build:\n    docker: [{image: a}]\n    steps: [" + long_name + "]\n");
    CHECK(error.message.size() < 300);
    CHECK_THAT(error.message, Catch::Contains("nnn...`"));
    const ParseError control = refused(
        "version: 2\njobs:\n  build:\n    docker: [{image: a}]\n    steps: [\"a\\x1b[31mb\"]\n");
    CHECK_THAT(control.message, Catch::Contains("`a?[31mb`"));
}

TEST_CASE("an alias inside its own anchor is an error, not a loop (found by the fuzzer)") {
    const ParseError error = refused("version: 2.1\njobs: &x\n  build: *x\n");
    CHECK_THAT(error.message, Catch::Contains("nested deeper than 200 levels (is an alias inside "
                                              "its own anchor?)"));
    // The fuzzer's own input (tests/fuzz/regressions; its first byte picks the ref).
    std::ifstream in(
        std::string(FMG_SOURCE_DIR) + "/tests/fuzz/regressions/pipeline_config_alias_loop.bin",
        std::ios::binary);
    REQUIRE(in.is_open());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto result = parse_config(std::string_view(text).substr(1), "config.yml", RefContext{});
    REQUIRE(std::holds_alternative<ParseError>(result));
    CHECK_THAT(std::get<ParseError>(result).message,
               Catch::Contains("alias inside its own anchor"));
}
