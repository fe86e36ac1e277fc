#pragma once
// The credentials file `fmg configure add-runner` prints: which coordinator to reach and the
// CURVE keys to prove who this runner is.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "shared/result.h"

namespace fmg::agent {

struct Credentials {
    int64_t runner_id = 0;
    std::string host;
    std::string coordinator;        // tcp://HOST:PORT
    std::string server_public_key;  // hex
    std::string public_key;         // hex
    std::string secret_key;         // hex
    uint32_t capacity = 0;          // as registered; 0 when the file does not say
    std::vector<std::string> labels;
};

/// Reads and checks a credentials file; the Error names the file and what is wrong.
Result<Credentials> load_credentials(const std::filesystem::path& file);

}  // namespace fmg::agent
