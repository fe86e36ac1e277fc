#pragma once
// A second host on this machine: a network namespace joined to the test's own by a veth pair,
// so an agent inside it reaches the coordinator over a real link that the test can cut
// (`ip link set ... down`) and restore. Needs root and iproute2 (CI has both).

#include <string>
#include <vector>

namespace fmg::testing {

class NetworkNamespace {
  public:
    /// Creates the namespace, the veth pair and a /30 between them, and brings both ends up.
    /// Fails the test with the `ip` command's output when it cannot (not root, no iproute2).
    NetworkNamespace();
    /// Deletes the namespace (which deletes the veth pair).
    ~NetworkNamespace();
    NetworkNamespace(const NetworkNamespace&) = delete;
    NetworkNamespace& operator=(const NetworkNamespace&) = delete;

    /// The address of this side of the link, which processes inside the namespace reach.
    const std::string& host_address() const { return host_address_; }
    /// The command prefix that runs a program inside the namespace (`ip netns exec NAME`);
    /// the program keeps the prefix's PID (ip execs it without forking).
    std::vector<std::string> exec_prefix() const;

    /// Takes this side of the link down: packets in both directions are dropped, no
    /// connection is reset, exactly as when a cable is pulled.
    void cut();
    /// Brings the link back up.
    void restore();

  private:
    std::string name_;
    std::string host_link_;
    std::string host_address_;
};

}  // namespace fmg::testing
