#pragma once
// What the coordinator creates on first start in its data dir: the directory itself, its
// CURVE server key pair and the admin API token (SPEC "fmg-coordinator").

#include <filesystem>
#include <string>

#include "shared/curve.h"

namespace fmg::coordinator {

struct Identity {
    curve::KeyPair server_keys;
    std::string admin_token;
};

/// Creates the data dir (mode 0700) and, when missing, `curve_server.key` and `admin.token`
/// (both mode 0600); reads them otherwise. Throws std::runtime_error with the path on I/O
/// errors or a damaged key file.
Identity load_or_create_identity(const std::filesystem::path& data_dir);

}  // namespace fmg::coordinator
