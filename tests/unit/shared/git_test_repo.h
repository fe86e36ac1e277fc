#pragma once
// Real git repositories for the shared/git tests, made with the git CLI in temporary
// directories (never the user's own git configuration).

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace fmg::git_testing {

/// The text in single quotes for /bin/sh.
inline std::string quote(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

/// Runs a shell command and returns its stdout without the trailing newline; the test fails
/// when the command exits non-zero.
inline std::string run(const std::string& command) {
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string output;
    char buffer[4096];
    while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
    const int status = ::pclose(pipe);
    INFO("command: " << command << "\noutput: " << output);
    REQUIRE(status == 0);
    while (!output.empty() && output.back() == '\n') output.pop_back();
    return output;
}

/// Runs `git ARGS` in `dir` with a fixed identity and no user or system configuration;
/// returns its output.
inline std::string git_at(const std::filesystem::path& dir, const std::string& args) {
    return run("GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 git -C " + quote(dir.string()) +
               " -c user.name=fmg-test -c user.email=test@fmg.invalid"
               " -c commit.gpgsign=false -c tag.gpgsign=false " +
               args);
}

/// A fresh directory, removed with everything in it at the end of the test.
class TempDir {
  public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "fmg-git-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path_ = pattern;
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

/// A non-bare repository on branch `main`, standing for the remote that gets mirrored.
class SourceRepo {
  public:
    explicit SourceRepo(std::filesystem::path dir) : dir_(std::move(dir)) {
        std::filesystem::create_directories(dir_);
        git("init -q -b main");
    }

    /// Runs `git ARGS` in the repository and returns its output.
    std::string git(const std::string& args) const { return git_at(dir_, args); }

    /// Writes a file in the working tree (creating its directories).
    void write(const std::string& path, const std::string& content, bool executable = false) const {
        const auto file = dir_ / path;
        std::filesystem::create_directories(file.parent_path());
        std::ofstream(file, std::ios::binary | std::ios::trunc) << content;
        ::chmod(file.c_str(), executable ? 0755 : 0644);
    }

    /// Commits everything in the working tree; returns the new commit's sha.
    std::string commit(const std::string& message) const {
        git("add -A");
        git("commit -q -m " + quote(message));
        return git("rev-parse HEAD");
    }

    const std::filesystem::path& dir() const { return dir_; }
    std::string file_url() const { return "file://" + dir_.string(); }

  private:
    std::filesystem::path dir_;
};

/// The contents of a file in the real file system.
inline std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace fmg::git_testing
