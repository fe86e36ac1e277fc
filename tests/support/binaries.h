#pragma once
// Where the build put the binaries under test (FMG_BIN_DIR is set by tests/CMakeLists.txt).

#include <filesystem>

namespace fmg::testing {

inline std::filesystem::path coordinator_binary() {
    return std::filesystem::path(FMG_BIN_DIR) / "coordinator" / "fmg-coordinator";
}

inline std::filesystem::path agent_binary() {
    return std::filesystem::path(FMG_BIN_DIR) / "agent" / "fmg-agent";
}

inline std::filesystem::path cli_binary() {
    return std::filesystem::path(FMG_BIN_DIR) / "cli" / "fmg";
}

}  // namespace fmg::testing
