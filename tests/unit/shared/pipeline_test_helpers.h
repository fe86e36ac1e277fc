#pragma once
// Shared by the pipeline_*_test.cpp files: parse a config and expect success or an error.

#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "shared/pipeline/config.h"

namespace fmg::pipeline::testing {

inline constexpr std::string_view kConfigFile = ".circleci/config.yml";

/// Parses `yaml` for `ref`; fails the test with the parser's message unless it parses.
inline Config parse_ok(std::string_view yaml, const RefContext& ref = {}) {
    auto result = parse_config(yaml, kConfigFile, ref);
    if (const auto* error = std::get_if<ParseError>(&result)) FAIL(error->to_string());
    return std::get<Config>(std::move(result));
}

/// Parses `yaml` for `ref`; fails the test unless the parser reports an error.
inline ParseError parse_error(std::string_view yaml, const RefContext& ref = {}) {
    auto result = parse_config(yaml, kConfigFile, ref);
    if (std::holds_alternative<Config>(result)) FAIL("expected a ParseError for:\n" << yaml);
    return std::get<ParseError>(std::move(result));
}

/// The names of the jobs, in order.
inline std::vector<std::string> job_names(const Config& config) {
    std::vector<std::string> names;
    for (const Job& job : config.jobs) names.push_back(job.name);
    return names;
}

/// The references of `images` (a job's `services`), in order.
inline std::vector<std::string> image_references(const std::vector<ImageSpec>& images) {
    std::vector<std::string> references;
    for (const ImageSpec& image : images) references.push_back(image.image);
    return references;
}

/// The one job of a config that runs exactly one (a reference into `config`).
inline const Job& only_job(const Config& config) {
    REQUIRE(config.jobs.size() == 1);
    return config.jobs.front();
}

}  // namespace fmg::pipeline::testing
