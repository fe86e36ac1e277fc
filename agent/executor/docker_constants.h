#pragma once
// What confines a Docker job: the capabilities its containers lose, the limits the agent's
// flags set, and the names of its per-job network. Each answers a threat listed in
// docs/security.md ("Code from pull requests: what a step can reach on its runner").

#include <cstdint>

namespace fmg::agent {

/// Capabilities dropped from every job and service container (Docker's defaults keep them).
/// Kept, because package installs and CI tools need them inside the container: CHOWN,
/// DAC_OVERRIDE, FOWNER, FSETID, SETUID, SETGID (apt drops to `_apt`, su), KILL,
/// NET_BIND_SERVICE (a service on port 80), AUDIT_WRITE (sudo and su fail when they cannot
/// write their audit record).
/// - MKNOD: a device node made in the workspace is a bind mount away from the host, where
///   anything that opens it reaches the device (e.g. the host's disk).
/// - NET_RAW: raw sockets forge packets (ARP, spoofed sources) on the job's bridge; ping
///   still works through Docker's ping_group_range.
/// - SETFCAP: a file capability set on a binary in the workspace would grant that
///   capability to whoever runs it on the host.
/// - SETPCAP: moves capabilities between sets; no CI step needs it.
/// - SYS_CHROOT: the tool of path-confusion attacks on privileged programs; no CI step
///   needs it.
inline constexpr const char* kJobDroppedCapabilities[] = {"MKNOD", "NET_RAW", "SETFCAP", "SETPCAP",
                                                          "SYS_CHROOT"};

/// SecurityOpt of every job and service container: a setuid-root file (made by root in the
/// container, or shipped in the image) cannot raise a non-root process to root.
inline constexpr const char* kNoNewPrivileges = "no-new-privileges";

/// Default of --job-pids: processes and threads per container. Answers a fork bomb, which
/// without it exhausts the host's process table (every user on the host, the agent too).
/// Large enough for parallel builds (make -j, test runners with thread pools).
inline constexpr int64_t kDefaultJobPids = 4096;
/// Bounds of --job-pids: fewer than this and a shell with a pipeline cannot start.
inline constexpr int64_t kMinJobPids = 16;
inline constexpr int64_t kMaxJobPids = 4'194'304;  // the kernel's pid_max ceiling

/// Bounds of --job-memory (default: no limit). Docker refuses less than 6 MiB.
inline constexpr int64_t kMinJobMemory = 6 * 1024 * 1024;
inline constexpr int64_t kMaxJobMemory = int64_t{1} << 50;  // 1 PiB: no real host has more

/// Bounds of --job-cpus, in CPUs (default: no limit). Docker's own lower bound; the upper
/// one is checked against the engine's host at agent start.
inline constexpr double kMinJobCpus = 0.01;
inline constexpr double kMaxJobCpus = 4096;

/// Bridge interfaces of per-job networks start with one of these (Linux allows 15
/// characters; the rest is random). The host firewall rule matches the first with
/// `-i fmgj+`, so jobs of a runner without --job-network-host-access cannot reach the host;
/// runners with it use the second, which no rule matches.
inline constexpr const char* kIsolatedBridgePrefix = "fmgj";
inline constexpr const char* kOpenBridgePrefix = "fmgo";
inline constexpr int kBridgeNameLength = 15;

/// The label on per-job networks (with fmg.attempt and fmg.runner, as on containers).
inline constexpr const char* kNetworkRoleValue = "network";

}  // namespace fmg::agent
