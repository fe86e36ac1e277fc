#pragma once
// The host firewall rules that keep Docker jobs from this host's own services. A job's
// network is a bridge whose interface name starts with kIsolatedBridgePrefix; traffic from
// it to any address of the host arrives on that interface in the INPUT chain, which one
// rule refuses; two more in DOCKER-USER refuse what Docker forwards to published ports of
// other containers (destination-NATed to a host address) and link-local addresses (cloud
// metadata services hand out the instance's credentials). The rules are global and stay
// after the agent exits: they only match interfaces fmg creates.

#include <string>
#include <vector>

#include "shared/result.h"

namespace fmg::agent {

/// One rule, as iptables arguments after the verb (-C or -I): chain first.
struct FirewallRule {
    std::vector<std::string> arguments;
    bool required = false;  // without it jobs reach the host's own services
};

/// The rules for bridges named `prefix`+something.
std::vector<FirewallRule> host_firewall_rules(const std::string& prefix);

/// Checks each rule with `iptables -C` and inserts a missing one with `iptables -I`. Needs
/// CAP_NET_ADMIN (root, or AmbientCapabilities=CAP_NET_ADMIN under systemd). Fails, naming
/// the rule, iptables' message and the ways out, when a required rule is missing and cannot
/// be inserted (no iptables, no permission); an optional rule that cannot be inserted (no
/// DOCKER-USER chain: Docker runs without iptables) is only logged as a warning.
/// `required_only`: checks the required rule alone (before each job: a firewall reload may
/// have flushed it; the optional ones were reported at agent start).
Status ensure_host_firewall(const std::string& prefix, bool required_only = false);

}  // namespace fmg::agent
