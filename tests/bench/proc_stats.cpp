#include "tests/bench/proc_stats.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/process.h"

namespace fmg::bench {

namespace {

// A "Name:   1234 kB" field of /proc/PID/status, in MiB; 0 when the process is gone.
double status_mib(pid_t pid, const std::string& name) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    const std::string prefix = name + ":";
    for (std::string line; std::getline(status, line);) {
        if (line.rfind(prefix, 0) != 0) continue;
        std::istringstream fields(line.substr(prefix.size()));
        double kib = 0;
        fields >> kib;
        return kib / 1024.0;
    }
    return 0;
}

}  // namespace

double rss_mib(pid_t pid) {
    return status_mib(pid, "VmRSS");
}
double rss_anon_mib(pid_t pid) {
    return status_mib(pid, "RssAnon");
}
double rss_file_mib(pid_t pid) {
    return status_mib(pid, "RssFile");
}

double tree_rss_mib(pid_t pid) {
    double total = rss_mib(pid);
    for (pid_t child : testing::child_pids(pid)) total += tree_rss_mib(child);
    return total;
}

double cpu_seconds(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const auto close = text.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream fields(text.substr(close + 2));
    std::string field;
    double utime = 0;
    double stime = 0;
    // state is field 3; utime and stime are fields 14 and 15 (proc(5)).
    for (int index = 3; index <= 15 && fields >> field; ++index) {
        if (index == 14) utime = std::stod(field);
        if (index == 15) stime = std::stod(field);
    }
    return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

PeakRssSampler::PeakRssSampler(pid_t pid, std::chrono::milliseconds interval)
    : pid_(pid), interval_(interval) {
    thread_ = std::thread([this] {
        while (running_) {
            const double now = rss_mib(pid_);
            if (now > peak_) peak_ = now;
            std::this_thread::sleep_for(interval_);
        }
    });
}

PeakRssSampler::~PeakRssSampler() {
    stop();
}

double PeakRssSampler::stop() {
    running_ = false;
    if (thread_.joinable()) thread_.join();
    return peak_;
}

}  // namespace fmg::bench
