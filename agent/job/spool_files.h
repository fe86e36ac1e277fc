#pragma once
// What the file steps share: the spool files a step makes in the agent's work dir, removed
// when it ends whatever happens, and how they print sizes.

#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace fmg::agent {

/// Removes the files it names when the step ends.
struct SpoolFiles {
    std::vector<std::filesystem::path> files;
    ~SpoolFiles() {
        std::error_code ignored;
        for (const auto& file : files) std::filesystem::remove(file, ignored);
    }
};

/// "1 byte", "20 bytes".
inline std::string size_text(uint64_t bytes) {
    return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
}

}  // namespace fmg::agent
