#include "tests/support/network_namespace.h"

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <iostream>

#include "tests/support/process.h"

namespace fmg::testing {
namespace {

std::atomic<int> serial{0};

CommandResult ip(const std::vector<std::string>& args) {
    ProcessOptions options;
    options.argv = {"ip"};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    return run_command(options, std::chrono::seconds(20));
}

void require_ip(const std::vector<std::string>& args) {
    const CommandResult result = ip(args);
    if (!result.ok()) {
        std::vector<std::string> argv{"ip"};
        argv.insert(argv.end(), args.begin(), args.end());
        FAIL("network namespace setup failed (this test needs root and iproute2):\n"
             << result.describe(argv));
    }
}

}  // namespace

NetworkNamespace::NetworkNamespace() {
    // Unique per process and instance; interface names must stay within 15 characters.
    const int id = (static_cast<int>(::getpid()) * 8 + serial++) % 16000;
    name_ = "fmg-test-" + std::to_string(id);
    host_link_ = "fmgh" + std::to_string(id);
    const std::string inner_link = "fmgn" + std::to_string(id);
    // A /30 in 10.231.0.0/16 picked by the id: .1 here, .2 inside.
    const std::string prefix =
        "10.231." + std::to_string(id / 64) + "." + std::to_string((id % 64) * 4);
    auto address = [&](int last) {
        const auto dot = prefix.rfind('.');
        return prefix.substr(0, dot + 1) + std::to_string(std::stoi(prefix.substr(dot + 1)) + last);
    };
    host_address_ = address(1);

    (void)ip({"netns", "delete", name_});  // a leftover of a crashed earlier run
    require_ip({"netns", "add", name_});
    require_ip({"link", "add", host_link_, "type", "veth", "peer", "name", inner_link});
    require_ip({"link", "set", inner_link, "netns", name_});
    require_ip({"addr", "add", host_address_ + "/30", "dev", host_link_});
    require_ip({"link", "set", host_link_, "up"});
    require_ip({"-n", name_, "addr", "add", address(2) + "/30", "dev", inner_link});
    require_ip({"-n", name_, "link", "set", inner_link, "up"});
    require_ip({"-n", name_, "link", "set", "lo", "up"});
}

NetworkNamespace::~NetworkNamespace() {
    const CommandResult deleted = ip({"netns", "delete", name_});
    if (!deleted.ok()) {
        std::cerr << "note: could not delete network namespace " << name_ << ":\n"
                  << deleted.describe({"ip", "netns", "delete", name_}) << "\n";
    }
    (void)ip({"link", "delete", host_link_});  // gone with the namespace, normally
}

std::vector<std::string> NetworkNamespace::exec_prefix() const {
    return {"ip", "netns", "exec", name_};
}

void NetworkNamespace::cut() {
    require_ip({"link", "set", host_link_, "down"});
}

void NetworkNamespace::restore() {
    require_ip({"link", "set", host_link_, "up"});
}

}  // namespace fmg::testing
