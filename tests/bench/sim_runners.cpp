#include "tests/bench/sim_runners.h"

#include <Poco/JSON/Parser.h>
#include <yaml-cpp/yaml.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>

namespace fmg::bench {
namespace {

std::string runner_name(const std::string& prefix, size_t index) {
    char digits[24];
    std::snprintf(digits, sizeof digits, "%04zu", index + 1);
    return prefix + "-" + digits;
}

/// The runner from a credentials text, or the reason it is not one (no Catch2 here: this
/// runs on worker threads).
std::optional<SimRunner> read_credentials(const std::string& text, std::string& problem) {
    try {
        const YAML::Node root = YAML::Load(text);
        if (!root.IsMap()) {
            problem = "the credentials are not a YAML map";
            return std::nullopt;
        }
        for (const char* key : {"runner_id", "host", "coordinator", "server_public_key",
                                "public_key", "secret_key"}) {
            if (!root[key] || !root[key].IsScalar()) {
                problem = std::string("the credentials have no ") + key;
                return std::nullopt;
            }
        }
        SimRunner runner;
        runner.runner_id = root["runner_id"].as<int64_t>();
        runner.host = root["host"].as<std::string>();
        runner.coordinator = root["coordinator"].as<std::string>();
        runner.server_public_key = root["server_public_key"].as<std::string>();
        runner.public_key = root["public_key"].as<std::string>();
        runner.secret_key = root["secret_key"].as<std::string>();
        return runner;
    } catch (const YAML::Exception& e) {
        problem = std::string("the credentials are not YAML: ") + e.what();
        return std::nullopt;
    }
}

}  // namespace

SimRunner parse_sim_runner(const std::string& credentials_text) {
    std::string problem;
    auto runner = read_credentials(credentials_text, problem);
    if (!runner) FAIL(problem << ":\n" << credentials_text);
    return *runner;
}

std::vector<SimRunner> register_sim_runners(const testing::HttpClient& api,
                                            const std::string& prefix, size_t count,
                                            size_t threads) {
    std::vector<std::optional<SimRunner>> runners(count);
    std::atomic<size_t> next{0};
    std::mutex failure_mutex;
    std::string failure;  // the first failure; workers stop at it
    auto work = [&] {
        for (size_t i = next++; i < count; i = next++) {
            {
                std::lock_guard lock(failure_mutex);
                if (!failure.empty()) return;
            }
            const std::string host = runner_name(prefix, i);
            const auto response = api.post_json("/api/v1/runners", "{\"host\": \"" + host + "\"}");
            std::string problem;
            if (response.status != 201) {
                problem = "POST /api/v1/runners for " + host + ": " + response.describe();
            } else {
                try {
                    // Not testing::parse_object: Catch2 assertions are for the main thread.
                    const auto answer = Poco::JSON::Parser()
                                            .parse(response.body)
                                            .extract<Poco::JSON::Object::Ptr>();
                    runners[i] =
                        read_credentials(answer->getValue<std::string>("credentials"), problem);
                } catch (const std::exception& e) {
                    problem = "POST /api/v1/runners for " + host + " answered " + response.body +
                              ": " + e.what();
                }
            }
            if (!runners[i]) {
                std::lock_guard lock(failure_mutex);
                if (failure.empty()) failure = problem;
                return;
            }
        }
    };
    std::vector<std::thread> workers;
    for (size_t t = 0; t < std::max<size_t>(1, threads); ++t) workers.emplace_back(work);
    for (auto& worker : workers) worker.join();
    if (!failure.empty()) FAIL(failure);
    std::vector<SimRunner> registered;
    registered.reserve(count);
    for (auto& runner : runners) registered.push_back(std::move(*runner));
    return registered;
}

}  // namespace fmg::bench
