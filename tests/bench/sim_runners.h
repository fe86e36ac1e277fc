#pragma once
// Runners for simulated agents: registered through the real REST API (POST /api/v1/runners,
// what `fmg configure add-runner` does), their credentials read from the answer.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/http_client.h"

namespace fmg::bench {

/// What one registered runner's credentials file holds (keys as 64 hex digits).
struct SimRunner {
    int64_t runner_id = 0;
    std::string host;
    std::string coordinator;        // the agent endpoint, e.g. tcp://127.0.0.1:5555
    std::string server_public_key;  // the coordinator's CURVE key
    std::string public_key;
    std::string secret_key;
};

/// Registers `count` runners named PREFIX-0001, PREFIX-0002, ... (capacity 1, no labels)
/// with `threads` concurrent requests, and returns them in name order. Fails the current
/// test when an answer is not 201 with a credentials text holding every field above.
std::vector<SimRunner> register_sim_runners(const testing::HttpClient& api,
                                            const std::string& prefix, size_t count,
                                            size_t threads = 4);

/// Reads the credentials text of POST /api/v1/runners's answer; fails the current test when
/// it is not a YAML map with runner_id, host, coordinator, server_public_key, public_key and
/// secret_key.
SimRunner parse_sim_runner(const std::string& credentials_text);

}  // namespace fmg::bench
