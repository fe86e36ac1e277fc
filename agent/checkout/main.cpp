// fmg-checkout: the agent's checkout step, in a process of its own so that fmg-agent never
// loads libgit2 (agent/job/checkout.h says why). fmg-agent starts it; it is not meant to
// be run by hand, but can be:
//
//   echo URL | fmg-checkout MIRRORS_DIR SHA DESTINATION
//
// The repository URL comes on stdin because it may hold credentials, which a command line
// shows to every user of the host. Fetches the mirror of URL under MIRRORS_DIR when it lacks
// SHA, then makes DESTINATION a working tree at SHA (shared/git/mirror.h). Exit 0 when done;
// 1 with the reason on stdout (one line, credentials removed); 2 for bad usage. Log lines go
// to stderr, which is the agent's log.

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <string>

#include "shared/exit_codes.h"
#include "shared/git/mirror.h"
#include "shared/log.h"
#include "shared/version.h"

namespace {

constexpr const char* kUsage =
    "usage: echo URL | fmg-checkout MIRRORS_DIR SHA DESTINATION\n"
    "Fetches the commit SHA of the repository at URL into its mirror under MIRRORS_DIR when\n"
    "the mirror lacks it, then checks it out into DESTINATION. fmg-agent runs this for each\n"
    "checkout step.";

int fail(const std::string& reason) {
    std::cout << reason << "\n";
    return fmg::exit_code::kFailed;
}

int checkout(const std::string& mirrors_dir, const std::string& url, const std::string& sha,
             const std::string& destination) {
    using namespace fmg;
    auto mirror = git::Mirror::open(mirrors_dir, url);
    if (!mirror) return fail(mirror.error().message);
    if (!mirror->has_commit(sha)) {
        if (auto fetched = mirror->fetch(); !fetched) return fail(fetched.error().message);
    }
    if (auto done = mirror->checkout(sha, destination); !done) return fail(done.error().message);
    return exit_code::kOk;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace fmg;
    // A checkout outlives neither its agent nor the agent's thread that waits for it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    log::set_component("checkout");
    if (argc == 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
        std::cout << kUsage << "\n";
        return exit_code::kOk;
    }
    if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
        std::cout << "fmg-checkout " << kVersion << "\n";
        return exit_code::kOk;
    }
    if (argc != 4) {
        std::cerr << kUsage << "\n";
        return exit_code::kUsage;
    }
    std::string url;
    if (!std::getline(std::cin, url) || url.empty()) {
        std::cerr << "fmg-checkout: no repository URL on stdin\n" << kUsage << "\n";
        return exit_code::kUsage;
    }
    try {
        git::init_library();
        return checkout(argv[1], url, argv[2], argv[3]);
    } catch (const std::exception& e) {
        return fail(std::string("checkout: ") + e.what());
    }
}
