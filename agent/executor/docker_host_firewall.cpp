#include "agent/executor/docker_host_firewall.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "agent/executor/run_program.h"
#include "shared/log.h"

namespace fmg::agent {
namespace {

// An iptables call takes milliseconds; -w makes it wait for the xtables lock held by
// another caller (Docker, a firewall manager) instead of failing at once.
constexpr std::chrono::seconds kIptablesTimeout{30};
constexpr size_t kMaxIptablesOutput = 4096;

Result<std::string> find_iptables() {
    // Where iptables is installed on the distributions Docker supports; Docker itself needs it.
    if (auto found = find_program(
            {"/usr/sbin/iptables", "/sbin/iptables", "/usr/bin/iptables", "/bin/iptables"})) {
        return *found;
    }
    return Error{"iptables not found (looked in /usr/sbin, /sbin, /usr/bin, /bin)"};
}

// Runs iptables to its end; its stdout and stderr together, cut at kMaxIptablesOutput.
Result<ProgramOutcome> run_iptables(const std::string& program, const std::string& verb,
                                    const std::vector<std::string>& rule) {
    SpawnRequest request;
    request.argv = {program, "-w", "5", verb};
    request.argv.insert(request.argv.end(), rule.begin(), rule.end());
    request.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"};
    request.working_directory = "/";
    return run_program(request, kIptablesTimeout, kMaxIptablesOutput);
}

std::string describe(const std::vector<std::string>& rule) {
    std::string text = "iptables -I";
    for (const auto& part : rule) text += " " + part;
    return text;
}

}  // namespace

std::vector<FirewallRule> host_firewall_rules(const std::string& prefix) {
    const std::string interfaces = prefix + "+";
    return {
        {{"INPUT", "-i", interfaces, "-j", "REJECT"}, true},
        {{"DOCKER-USER", "-i", interfaces, "-m", "conntrack", "--ctstate", "DNAT", "-j", "REJECT"},
         false},
        {{"DOCKER-USER", "-i", interfaces, "-d", "169.254.0.0/16", "-j", "REJECT"}, false},
    };
}

Status ensure_host_firewall(const std::string& prefix, bool required_only) {
    const std::string ways_out =
        ". Jobs would reach this host's services: run the agent as root or with "
        "CAP_NET_ADMIN (systemd: AmbientCapabilities=CAP_NET_ADMIN), install the rule as "
        "root, or pass --job-network-host-access to allow it (docs/security.md)";
    auto program = find_iptables();
    if (!program) {
        return Error{"cannot install the host firewall rule for job networks (" +
                     describe(host_firewall_rules(prefix).front().arguments) +
                     "): " + program.error().message + ways_out};
    }
    for (const auto& rule : host_firewall_rules(prefix)) {
        if (required_only && !rule.required) continue;
        auto checked = run_iptables(*program, "-C", rule.arguments);
        if (checked && checked->exit_code == 0) continue;  // present
        auto inserted = run_iptables(*program, "-I", rule.arguments);
        if (inserted && inserted->exit_code == 0) {
            FMG_LOG(info) << "installed the host firewall rule `" << describe(rule.arguments)
                          << "`";
            continue;
        }
        std::string why = inserted ? inserted->output : inserted.error().message;
        if (why.empty() && inserted) why = "exit code " + std::to_string(inserted->exit_code);
        if (rule.required) {
            return Error{"cannot install the host firewall rule for job networks (" +
                         describe(rule.arguments) + "): " + why + ways_out};
        }
        FMG_LOG(warn) << "cannot install the host firewall rule `" << describe(rule.arguments)
                      << "`: " << why
                      << "; jobs may reach ports that other containers publish on this host, "
                         "and link-local addresses (cloud metadata)";
    }
    return {};
}

}  // namespace fmg::agent
