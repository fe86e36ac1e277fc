#pragma once
// Helpers for the executor tests: a thread-safe output collector, condition polling with a
// deadline, and a temporary workspace.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "agent/executor/executor.h"

namespace fmg::agent::testing {

/// Collects what a step writes, readable from another thread while the step runs.
class CollectedOutput {
  public:
    OutputSink sink() {
        return [this](std::string_view bytes) {
            std::lock_guard lock(mutex_);
            text_.append(bytes);
        };
    }
    std::string text() const {
        std::lock_guard lock(mutex_);
        return text_;
    }
    bool contains(const std::string& part) const { return text().find(part) != std::string::npos; }

  private:
    mutable std::mutex mutex_;
    std::string text_;
};

/// Polls `condition` every 10 ms until it holds (true) or `limit` passes (false).
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

/// A fresh directory under the system's temp directory, removed at the end of the test.
class TempWorkspace {
  public:
    TempWorkspace() {
        std::random_device random;
        path_ = std::filesystem::temp_directory_path() /
                ("fmg-executor-test-" + std::to_string(random()) + std::to_string(random()));
        std::filesystem::create_directories(path_);
    }
    ~TempWorkspace() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempWorkspace(const TempWorkspace&) = delete;
    TempWorkspace& operator=(const TempWorkspace&) = delete;
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

/// Writes a stand-in for the helper fmg-circleci into `directory` and returns its path: it
/// prints how it was called ("fake circleci tests glob *.txt") and, for `step halt`, does what
/// the real one does (appends to $FMG_HALT_FILE).
inline std::filesystem::path write_fake_circleci_helper(const std::filesystem::path& directory) {
    auto program = directory / "fmg-circleci";
    std::ofstream(program) << "#!/bin/sh\n"
                              "if [ \"$1 $2\" = \"step halt\" ]; then echo halt >> "
                              "\"$FMG_HALT_FILE\"; fi\n"
                              "echo \"fake $(basename \"$0\") $*\"\n";
    std::filesystem::permissions(program, std::filesystem::perms(0755));
    return program;
}

inline double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace fmg::agent::testing
