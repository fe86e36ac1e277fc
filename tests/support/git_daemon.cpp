#include "tests/support/git_daemon.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>

namespace fmg::testing {
namespace {

bool accepts_connections(uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool connected =
        ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return connected;
}

}  // namespace

GitDaemon::GitDaemon(const std::filesystem::path& root_dir, const std::filesystem::path& log_dir)
    : root_(root_dir), port_(free_port()) {
    std::filesystem::create_directories(root_);
    ProcessOptions options;
    // No directory list: every repository under the base path is served (--export-all).
    options.argv = {"git",
                    "daemon",
                    "--reuseaddr",
                    "--export-all",
                    "--informative-errors",
                    "--verbose",
                    "--listen=127.0.0.1",
                    "--port=" + std::to_string(port_),
                    "--base-path=" + root_.string()};
    process_ = std::make_unique<Process>("git-daemon", options, log_dir);
    wait_until(deadline_after(std::chrono::seconds(10)), [&] { return accepts_connections(port_); },
               "git daemon to accept connections on port " + std::to_string(port_),
               {process_->stderr_path()});
}

std::string GitDaemon::serve(const GitRepo& repo, const std::string& full_name) {
    // git daemon finds OWNER/NAME.git/.git: a link to the work tree serves its repository.
    const std::filesystem::path link = root_ / (full_name + ".git");
    std::filesystem::create_directories(link.parent_path());
    std::filesystem::create_directory_symlink(repo.path(), link);
    return "git://127.0.0.1:" + std::to_string(port_) + "/" + full_name + ".git";
}

}  // namespace fmg::testing
