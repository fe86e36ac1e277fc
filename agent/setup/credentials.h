#pragma once
// The credentials file `fmg configure add-runner` prints: which coordinator to reach and the
// CURVE keys to prove who this runner is.

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
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

/// Mode bits that must all be clear on a credentials file: any access for its group or for
/// others. Threat: `fmg configure add-runner HOST > FILE` under umask 022 makes a 0644 file;
/// whoever can read it can connect as this runner and take its jobs (and their secrets).
inline constexpr mode_t kCredentialsOthersModeBits = 077;

/// A credentials file is a few hundred bytes; a larger one is a mistake (the wrong file).
inline constexpr std::size_t kMaxCredentialsFileBytes = 64 * 1024;

/// Whether the agent may use a credentials file with this `status` (from fstat): a regular
/// file with no group or other permission bits (kCredentialsOthersModeBits), owned by
/// `agent_uid`, or by root with mode 0600 or 0400. The Error names the file and says what
/// to run, e.g. "... is open to other users (mode 0644): run 'chmod 600 FILE' ...".
Status check_credentials_access(const std::filesystem::path& file, const struct stat& status,
                                uid_t agent_uid);

/// Reads and checks a credentials file (check_credentials_access() first, on the same open
/// file); the Error names the file and what is wrong.
Result<Credentials> load_credentials(const std::filesystem::path& file);

}  // namespace fmg::agent
