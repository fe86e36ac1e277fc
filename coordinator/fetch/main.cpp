// fmg-fetch: the coordinator's repository fetch, in a process of its own so that the
// coordinator can stop it at a deadline: libgit2 1.5 has no network timeouts, and a server
// that accepts a connection and then sends nothing would hold the fetch (and the mirror's
// lock) until the kernel gives up on the connection, for hours. fmg-coordinator starts it
// (coordinator/preparer/fetch_helper.h); it can be run by hand:
//
//   echo URL | fmg-fetch MIRRORS_DIR
//
// The repository URL comes on stdin because it may hold credentials, which a command line
// shows to every user of the host. Fetches the mirror of URL under MIRRORS_DIR
// (shared/git/mirror.h), writing to stdout `connected` once the server answered and
// `progress` while data arrives (at most every kProgressEvery), which is what the
// coordinator's deadlines watch. Exit 0 when done; 1 with `error: REASON` (one line,
// credentials removed) as its last line; 2 for bad usage. Log lines go to stderr, which is
// the coordinator's log.

#include <signal.h>
#include <sys/prctl.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <string>

#include "shared/exit_codes.h"
#include "shared/git/mirror.h"
#include "shared/log.h"
#include "shared/version.h"

namespace {

constexpr const char* kUsage =
    "usage: echo URL | fmg-fetch MIRRORS_DIR\n"
    "Fetches every branch and tag of the repository at URL into its mirror under MIRRORS_DIR,\n"
    "reporting progress on stdout. fmg-coordinator runs this for each fetch.";

/// Progress lines are rate-limited: the parent only needs to know the server is alive.
constexpr std::chrono::milliseconds kProgressEvery{250};

class StdoutReporter final : public fmg::git::FetchObserver {
  public:
    void connected() override { std::cout << "connected" << std::endl; }
    void progressed() override {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_ < kProgressEvery) return;
        last_ = now;
        std::cout << "progress" << std::endl;
    }

  private:
    std::chrono::steady_clock::time_point last_{};
};

int fail(const std::string& reason) {
    std::string line = reason;
    for (char& c : line) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    std::cout << "error: " << line << std::endl;
    return fmg::exit_code::kFailed;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace fmg;
    // A fetch outlives neither the coordinator nor the thread that waits for it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    log::set_component("fetch");
    if (argc == 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
        std::cout << kUsage << "\n";
        return exit_code::kOk;
    }
    if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
        std::cout << "fmg-fetch " << kVersion << "\n";
        return exit_code::kOk;
    }
    if (argc != 2) {
        std::cerr << kUsage << "\n";
        return exit_code::kUsage;
    }
    std::string url;
    if (!std::getline(std::cin, url) || url.empty()) {
        std::cerr << "fmg-fetch: no repository URL on stdin\n" << kUsage << "\n";
        return exit_code::kUsage;
    }
    try {
        git::init_library();
        auto mirror = git::Mirror::open(argv[1], url);
        if (!mirror) return fail(mirror.error().message);
        StdoutReporter reporter;
        if (auto fetched = mirror->fetch(&reporter); !fetched) {
            return fail(fetched.error().message);
        }
        return exit_code::kOk;
    } catch (const std::exception& e) {
        return fail(std::string("fetch: ") + e.what());
    }
}
