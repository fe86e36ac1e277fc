#pragma once
// A real `git daemon` on a loopback port, serving test repositories under GitHub-style
// OWNER/NAME paths: `fmg trigger` and POST /api/v1/pipelines take only network URLs (never a
// path on the coordinator), so a manually triggered pipeline fetches from here.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "tests/support/git_repo.h"
#include "tests/support/process.h"

namespace fmg::testing {

class GitDaemon {
  public:
    /// Starts `git daemon` serving `root_dir` (created) on a free loopback port, its output in
    /// LOG_DIR/git-daemon.stdout|stderr, and waits until it accepts connections. Fails the
    /// test when it does not within a few seconds.
    GitDaemon(const std::filesystem::path& root_dir, const std::filesystem::path& log_dir);
    GitDaemon(const GitDaemon&) = delete;
    GitDaemon& operator=(const GitDaemon&) = delete;

    /// Serves `repo` as OWNER/NAME (`full_name`) and returns its URL,
    /// `git://127.0.0.1:PORT/OWNER/NAME.git`.
    std::string serve(const GitRepo& repo, const std::string& full_name);

    uint16_t port() const { return port_; }

  private:
    std::filesystem::path root_;
    uint16_t port_ = 0;
    std::unique_ptr<Process> process_;
};

}  // namespace fmg::testing
