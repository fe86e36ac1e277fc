#pragma once
// The credentials file `fmg configure add-runner` prints: which coordinator to reach and the
// CURVE keys to prove who this runner is.

#include <cstdint>
#include <filesystem>
#include <string>

#include "shared/result.h"

namespace fmg::agent {

struct Credentials {
    int64_t runner_id = 0;
    std::string host;
    std::string coordinator;        // tcp://HOST:PORT
    std::string server_public_key;  // hex
    std::string public_key;         // hex
    std::string secret_key;         // hex
};

/// Reads and checks a credentials file; the Error names the file and what is wrong.
Result<Credentials> load_credentials(const std::filesystem::path& file);

}  // namespace fmg::agent
