#pragma once
// Deadlines and condition polling for integration tests: every wait has a deadline and, when
// it runs out, fails the test with what was awaited and the tail of the logs that explain it.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace fmg::testing {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

/// The point in time `timeout` from now.
inline Deadline deadline_after(std::chrono::milliseconds timeout) {
    return Clock::now() + timeout;
}

/// How often wait_until re-checks its predicate.
constexpr std::chrono::milliseconds kPollInterval{20};

/// Calls `predicate` every kPollInterval until it returns true. When `deadline` passes first,
/// fails the current test with "timed out waiting for DESCRIPTION" and the last lines of each
/// file in `logs`. Exceptions from the predicate propagate (Catch2 reports them).
void wait_until(Deadline deadline, const std::function<bool()>& predicate,
                const std::string& description,
                const std::vector<std::filesystem::path>& logs = {});

/// The last `max_lines` lines of a file, or a note saying it is missing or empty.
std::string tail_file(const std::filesystem::path& path, size_t max_lines = 40);

/// The tails of several files, each under a `--- PATH ---` header.
std::string tail_files(const std::vector<std::filesystem::path>& paths, size_t max_lines = 40);

/// A TCP port on 127.0.0.1 that was free a moment ago: binds port 0, reads the port the
/// kernel chose, closes the socket. Throws std::runtime_error when no socket can be bound.
uint16_t free_port();

/// The whole contents of a file; empty when it does not exist.
std::string read_file_text(const std::filesystem::path& path);

/// The SHA-256 (lowercase hex) a job printed right after `label` in `log` (e.g. the output
/// of `echo "data: $(sha256sum file | cut -d' ' -f1)"` after "data: "); empty when none.
std::string printed_sha256(const std::string& log, const std::string& label);

/// The SHA-256 of a file, read in pieces (for files too large to hold).
std::string file_sha256(const std::filesystem::path& path);

}  // namespace fmg::testing
