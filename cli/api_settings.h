#pragma once
// How to reach and authenticate to the coordinator, as resolved from the global options.

#include <string>

#include "shared/http_session.h"

namespace fmg::cli {

struct ApiSettings {
    std::string server_url = "http://localhost:5000";
    std::string token;         // empty: no token was found anywhere
    std::string token_source;  // "--token", "FMG_TOKEN", a file path, or empty
    TlsTrust tls;              // --ca-file, --insecure-skip-verify (https:// only)
};

}  // namespace fmg::cli
