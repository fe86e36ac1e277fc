#pragma once
// A real git repository for tests, built with the git CLI: the coordinator and agents fetch
// it through its file:// URL exactly as they would fetch from GitHub.

#include <filesystem>
#include <string>
#include <vector>

namespace fmg::testing {

class GitRepo {
  public:
    /// Creates `dir` and runs `git init` with branch main in it. Fails the test when git
    /// fails.
    explicit GitRepo(std::filesystem::path dir);

    /// Writes a file (creating its directories) in the work tree; not yet committed.
    void write_file(const std::string& relative_path, const std::string& content);
    /// Writes `.circleci/config.yml`.
    void write_config(const std::string& yaml) { write_file(".circleci/config.yml", yaml); }
    /// Commits everything in the work tree on the current branch; returns the new sha.
    std::string commit(const std::string& message);
    /// Creates and switches to a new branch at the current commit.
    void create_branch(const std::string& branch);

    /// The sha of HEAD (40 lower-case hex digits).
    std::string head_sha() const;
    /// The id of HEAD's tree.
    std::string tree_sha() const;
    /// "file:///absolute/path".
    std::string url() const;
    const std::filesystem::path& path() const { return dir_; }

  private:
    /// Runs git in the repository; fails the test with git's output when it does not exit 0.
    std::string git(const std::vector<std::string>& args) const;

    std::filesystem::path dir_;
};

}  // namespace fmg::testing
