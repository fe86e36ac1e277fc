// config: how long parsing a real config takes, 2.1 expansion included, for the largest
// configs of the corpus (tests/configs/real). The coordinator parses one per pipeline; the
// target is well under 50 ms for the largest. Baseline: yaml-cpp loading the same text, the
// part of the work that is not fmg's.

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "shared/pipeline/config.h"
#include "tests/bench/bench_options.h"
#include "tests/bench/report.h"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string two_decimals(double value) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(2) << value;
    return out.str();
}

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

TEST_CASE("config", "[bench]") {
    const std::filesystem::path corpus =
        std::filesystem::path(FMG_SOURCE_DIR) / "tests/configs/real";
    // The configs fmg accepts, largest first.
    std::vector<std::pair<std::string, std::string>> configs;
    for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
        if (entry.path().extension() != ".yml") continue;
        std::string text = read_text(entry.path());
        fmg::pipeline::ParseOptions options;
        options.ref.branch = "main";
        if (std::holds_alternative<fmg::pipeline::Config>(
                fmg::pipeline::parse_config(text, "config.yml", options))) {
            configs.emplace_back(entry.path().filename().string(), std::move(text));
        }
    }
    REQUIRE(configs.size() >= 3);
    std::sort(configs.begin(), configs.end(),
              [](const auto& a, const auto& b) { return a.second.size() > b.second.size(); });
    const int rounds = fmg::bench::quick() ? 20 : 200;
    for (std::size_t i = 0; i < 3; ++i) {
        const auto& [name, text] = configs[i];
        fmg::pipeline::ParseOptions options;
        options.ref.branch = "main";
        std::vector<double> parse_ms;
        std::vector<double> load_ms;
        for (int round = 0; round < rounds; ++round) {
            auto start = Clock::now();
            auto parsed = fmg::pipeline::parse_config(text, "config.yml", options);
            parse_ms.push_back(ms_since(start));
            REQUIRE(std::holds_alternative<fmg::pipeline::Config>(parsed));
            start = Clock::now();
            const YAML::Node loaded = YAML::Load(text);
            load_ms.push_back(ms_since(start));
            REQUIRE(loaded.IsMap());
        }
        const auto summary = fmg::bench::summarize(parse_ms);
        const std::string what = name + " (" + std::to_string(text.size() / 1024) + " KiB)";
        fmg::bench::record("config", "parse + expand " + what, "ms", parse_ms, "p99 < 50 ms",
                           summary.p99 < 50.0,
                           "yaml-cpp load alone: median " +
                               two_decimals(fmg::bench::summarize(load_ms).median) + " ms");
    }
}
