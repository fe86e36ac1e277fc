#pragma once
// What a process costs, read from /proc: resident memory and CPU time, and a sampler that
// keeps the peak resident memory of a process while a scenario runs.

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace fmg::bench {

/// Resident memory of `pid` in MiB (VmRSS); 0 when the process is gone.
double rss_mib(pid_t pid);

/// Of the resident memory, what is the process's own (anonymous: heap, stacks) and what is
/// mapped from files (its binary and shared libraries, shared with other processes), in MiB
/// (RssAnon, RssFile); 0 when the process is gone.
double rss_anon_mib(pid_t pid);
double rss_file_mib(pid_t pid);

/// Resident memory of `pid` and of every process under it (testing::child_pids), in MiB.
double tree_rss_mib(pid_t pid);

/// CPU time (user + system) `pid` has used so far, in seconds; 0 when it is gone.
double cpu_seconds(pid_t pid);

/// Samples the resident memory of a process every `interval` on its own thread, from
/// construction until stop() or destruction, and keeps the peak.
class PeakRssSampler {
  public:
    explicit PeakRssSampler(pid_t pid,
                            std::chrono::milliseconds interval = std::chrono::milliseconds(20));
    ~PeakRssSampler();
    PeakRssSampler(const PeakRssSampler&) = delete;
    PeakRssSampler& operator=(const PeakRssSampler&) = delete;

    /// Stops sampling; returns the peak in MiB.
    double stop();

  private:
    pid_t pid_;
    std::chrono::milliseconds interval_;
    std::atomic<bool> running_{true};
    std::atomic<double> peak_{0};
    std::thread thread_;
};

}  // namespace fmg::bench
