// The corpus of real public configs (tests/configs/real, origins in its README.md): each
// gets the verdict tests/configs/real/expected.txt records for it.

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "shared/pipeline/config.h"

namespace fmg::pipeline {
namespace {

const std::filesystem::path kCorpus = std::filesystem::path(FMG_SOURCE_DIR) / "tests/configs/real";

struct Expectation {
    std::string file;
    std::string verdict;  // valid, orb, invalid, gap
    std::string detail;   // the orb, or a part of the message
};

std::vector<Expectation> read_expectations() {
    std::ifstream in(kCorpus / "expected.txt");
    REQUIRE(in.is_open());
    std::vector<Expectation> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        std::vector<std::string> fields;
        std::stringstream split(line);
        for (std::string field; std::getline(split, field, '\t');) fields.push_back(field);
        REQUIRE(fields.size() >= 2);
        out.push_back({fields[0], fields[1], fields.size() > 2 ? fields[2] : ""});
    }
    return out;
}

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.is_open());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST_CASE("every real config of the corpus gets its recorded verdict") {
    const std::vector<Expectation> expectations = read_expectations();
    // The corpus and the list stay in step: every config has a verdict.
    std::size_t configs = 0;
    for (const auto& entry : std::filesystem::directory_iterator(kCorpus)) {
        configs += entry.path().extension() == ".yml";
    }
    CHECK(expectations.size() == configs);
    CHECK(configs >= 30);

    std::size_t valid = 0;
    for (const Expectation& expected : expectations) {
        INFO(expected.file << ": expected " << expected.verdict << " " << expected.detail);
        const std::string text = read_text(kCorpus / expected.file);
        ParseOptions options;
        options.ref.branch = "main";
        auto result = parse_config(text, expected.file, options);
        if (expected.verdict == "valid") {
            if (const auto* error = std::get_if<ParseError>(&result)) FAIL(error->to_string());
            CHECK_FALSE(std::get<Config>(result).jobs.empty());
            // What --expand prints parses to the same jobs.
            auto expanded = expand_config(text, expected.file, options);
            REQUIRE(std::holds_alternative<std::string>(expanded));
            auto reparsed = parse_config(std::get<std::string>(expanded), expected.file, options);
            REQUIRE(std::holds_alternative<Config>(reparsed));
            CHECK(std::get<Config>(reparsed).jobs.size() == std::get<Config>(result).jobs.size());
            ++valid;
            continue;
        }
        const auto* error = std::get_if<ParseError>(&result);
        REQUIRE(error != nullptr);
        INFO(error->to_string());
        if (expected.verdict == "orb") {
            CHECK_THAT(error->message, Catch::Contains("orb `" + expected.detail + "`"));
            CHECK_THAT(error->message, Catch::Contains("--orb-dir"));
        } else {
            REQUIRE((expected.verdict == "invalid" || expected.verdict == "gap"));
            CHECK_THAT(error->message, Catch::Contains(expected.detail));
        }
    }
    // A summary for whoever runs the test alone.
    WARN(valid << " of " << expectations.size() << " real configs valid");
}

}  // namespace
}  // namespace fmg::pipeline
