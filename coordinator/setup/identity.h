#pragma once
// What the coordinator creates on first start in its data dir: the directory itself and its
// CURVE server key pair (SPEC "fmg-coordinator"). The admin API token is made with the
// database (access/admin_token.h), which keeps only its digest.

#include <filesystem>
#include <string>

#include "shared/curve.h"

namespace fmg::coordinator {

struct Identity {
    curve::KeyPair server_keys;
};

/// Creates the data dir (mode 0700) and, when missing, `curve_server.key` (mode 0600); reads
/// it otherwise. Throws std::runtime_error with the path on I/O
/// errors or a damaged key file.
Identity load_or_create_identity(const std::filesystem::path& data_dir);

}  // namespace fmg::coordinator
