#include "tests/support/git_repo.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/support/process.h"

namespace fmg::testing {
namespace {

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
        text.pop_back();
    }
    return text;
}

}  // namespace

GitRepo::GitRepo(std::filesystem::path dir) : dir_(std::filesystem::absolute(std::move(dir))) {
    std::filesystem::create_directories(dir_);
    git({"init", "--quiet", "--initial-branch=main"});
}

void GitRepo::write_file(const std::string& relative_path, const std::string& content) {
    const std::filesystem::path file = dir_ / relative_path;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << content;
    REQUIRE(out.good());
}

std::string GitRepo::commit(const std::string& message) {
    git({"add", "--all"});
    git({"commit", "--quiet", "--allow-empty", "--message", message});
    return head_sha();
}

void GitRepo::create_branch(const std::string& branch) {
    git({"switch", "--quiet", "--create", branch});
}

std::string GitRepo::head_sha() const {
    return trimmed(git({"rev-parse", "HEAD"}));
}

std::string GitRepo::tree_sha() const {
    return trimmed(git({"rev-parse", "HEAD^{tree}"}));
}

std::string GitRepo::url() const {
    return "file://" + dir_.string();
}

std::string GitRepo::git(const std::vector<std::string>& args) const {
    // A fixed identity and no user or system configuration: the same commits on every host.
    ProcessOptions options;
    options.argv = {"git",
                    "-c",
                    "user.name=Octo Cat",
                    "-c",
                    "user.email=octocat@users.noreply.github.com",
                    "-c",
                    "commit.gpgsign=false",
                    "-c",
                    "gc.auto=0"};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    options.cwd = dir_;
    options.env = {{"GIT_CONFIG_NOSYSTEM", "1"},
                   {"GIT_CONFIG_GLOBAL", "/dev/null"},
                   {"GIT_TERMINAL_PROMPT", "0"}};
    const CommandResult result = run_command(options, std::chrono::seconds(30));
    if (!result.ok()) FAIL("git failed:\n" << result.describe(options.argv));
    return result.out;
}

}  // namespace fmg::testing
