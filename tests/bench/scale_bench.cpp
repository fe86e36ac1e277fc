// scale: what a large installation costs the coordinator while nothing but liveness happens.
// 2,000 simulated agents (tests/bench/sim_agents.h: the real protocol over CURVE, one DEALER
// socket each) heartbeat at 1 Hz for 60 s while 10,000 jobs are queued: each agent
// (capacity 1) accepts one job and holds it, so 2,000 jobs run and 8,000 stay queued.
// Measured over that steady window: the coordinator's CPU (% of one core), its peak resident
// memory, runners that went `lost` although their agent kept heartbeating, and the latency of
// GET /api/v1/pipelines polled 5 times a second. Baseline, in the same run: the same
// coordinator with the same runners registered and the same queue, no agent connected.
//
// Budget: about 2.5 minutes in full (registering 2,000 runners and queueing 10,000 jobs
// ~30 s, baseline 10 s, ramp ~15 s, window 60 s, teardown); --quick (200 agents, 1,000
// jobs, 15 s window) about 40 s. FMG_SCALE_STORM=N ramps up open-loop at N sessions a second
// (a reconnect storm) instead of at most 32 hellos in flight.

#include <sys/resource.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "tests/bench/bench_options.h"
#include "tests/bench/proc_stats.h"
#include "tests/bench/report.h"
#include "tests/bench/request_sampler.h"
#include "tests/bench/sim_agents.h"
#include "tests/bench/sim_runners.h"
#include "tests/support/cluster.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace fmg::bench {
namespace {

using Seconds = std::chrono::duration<double>;

/// Jobs per pushed pipeline; shared/pipeline caps a config at kMaxJobs (500) entries.
constexpr size_t kJobsPerPipeline = 200;
/// How often the pipelines listing is requested during a window.
constexpr std::chrono::milliseconds kListingInterval{200};
/// New agent sessions a second while ramping up; see docs/performance/scale.md for what a
/// faster ramp does to the coordinator.
constexpr int kConnectsPerSecond = 200;
/// How long the coordinator gets to prepare the pipelines, or to welcome every agent.
constexpr std::chrono::seconds kSetupTimeout{180};

/// A config whose one workflow runs `jobs` independent copies of a job that would run for an
/// hour: every copy is queued at once, and a simulated agent never runs it anyway.
std::string many_jobs_config(size_t jobs) {
    std::string yaml = R"yaml(version: 2.1
jobs:
  hold:
    docker:
      - image: fmg/busybox:latest
    steps:
      - run: sleep 3600
workflows:
  scale:
    jobs:
)yaml";
    for (size_t i = 1; i <= jobs; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "hold-%03zu", i);
        yaml += "      - hold:\n          name: " + std::string(name) + "\n";
    }
    return yaml;
}

/// Raises this process's open-file limit (children inherit it) to at least `wanted` if the
/// hard limit allows; returns the soft limit now in force.
rlim_t raise_file_limit(rlim_t wanted) {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
    if (limit.rlim_cur < wanted) {
        limit.rlim_cur = std::min(wanted, limit.rlim_max);
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur;
}

/// The gauge `metric{state="..."}` of GET /metrics, by state.
std::map<std::string, int64_t> gauge_by_state(const Cluster& cluster, const std::string& metric) {
    const HttpResponse response = cluster.api().get("/metrics");
    if (response.status != 200) FAIL("GET /metrics: " << response.describe());
    std::map<std::string, int64_t> values;
    std::istringstream lines(response.body);
    const std::string prefix = metric + "{state=\"";
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(prefix, 0) != 0) continue;
        const auto quote = line.find('"', prefix.size());
        const auto space = line.rfind(' ');
        if (quote == std::string::npos || space == std::string::npos) continue;
        values[line.substr(prefix.size(), quote - prefix.size())] =
            std::stoll(line.substr(space + 1));
    }
    return values;
}

int64_t count_of(const std::map<std::string, int64_t>& values, const std::string& state) {
    auto it = values.find(state);
    return it == values.end() ? 0 : it->second;
}

/// Pushes pipelines of kJobsPerPipeline jobs until `jobs` jobs exist, and waits until the
/// coordinator has read every config and queued every job.
void queue_jobs(Cluster& cluster, size_t jobs) {
    GitRepo repo = cluster.make_repo("scale");
    repo.write_config(many_jobs_config(kJobsPerPipeline));
    const std::string sha = repo.commit("many independent jobs");
    for (size_t queued = 0; queued < jobs; queued += kJobsPerPipeline) cluster.push(repo, sha);
    const int64_t expected =
        static_cast<int64_t>((jobs + kJobsPerPipeline - 1) / kJobsPerPipeline * kJobsPerPipeline);
    cluster.wait_until(
        deadline_after(kSetupTimeout),
        [&] { return count_of(gauge_by_state(cluster, "fmg_jobs"), "queued") == expected; },
        std::to_string(expected) + " jobs queued");
    // Each queued job has its `pending` status posted to GitHub; the sender works through
    // them for a few seconds, which is setup, not what the windows measure.
    cluster.wait_until(
        deadline_after(kSetupTimeout),
        [&] { return cluster.github().requests().size() >= static_cast<size_t>(expected); },
        std::to_string(expected) + " pending statuses posted to GitHub");
}

/// Lines of the coordinator's log that say a runner was lost, by runner host.
std::map<std::string, int> lost_lines(Cluster& cluster) {
    std::map<std::string, int> lost;
    std::istringstream lines(read_file_text(cluster.coordinator().stderr_path()));
    for (std::string line; std::getline(lines, line);) {
        const auto at = line.find("runner=");
        const auto lost_at = line.find(" lost: ");
        if (at == std::string::npos || lost_at == std::string::npos || lost_at < at) continue;
        ++lost[line.substr(at + 7, lost_at - at - 7)];
    }
    return lost;
}

/// Runner states of GET /api/v1/runners, counted.
std::map<std::string, int> runner_states(const Cluster& cluster) {
    std::map<std::string, int> states;
    for (const auto& runner : cluster.runners()) ++states[string_field(runner, "state")];
    return states;
}

std::string describe(const std::map<std::string, int>& counts) {
    std::string text;
    for (const auto& [key, count] : counts) {
        text += (text.empty() ? "" : ", ") + key + " " + std::to_string(count);
    }
    return text.empty() ? "none" : text;
}

std::string describe(const SimAgentsStats& stats) {
    std::ostringstream text;
    text << stats.online << " online, " << stats.holding << " holding a job, " << stats.hellos
         << " hellos, " << stats.welcomes << " welcomes, " << stats.assigns << " assigns ("
         << stats.refused << " refused), " << stats.cancels << " cancels, " << stats.forgotten
         << " 'no session' answers, " << stats.hello_timeouts << " hello timeouts, "
         << stats.session_timeouts << " session timeouts, " << stats.bad_frames << " bad frames, "
         << stats.send_failures << " send failures";
    return text.str();
}

/// What one window of time cost the coordinator.
/// CPU time (user + system) in a /proc stat file, in seconds; 0 when it cannot be read.
/// (proc_stats.h's cpu_seconds reads /proc/PID/stat, which is the whole process even for a
/// thread's id; a thread's own line is /proc/PID/task/TID/stat.)
double task_cpu_seconds(const std::filesystem::path& stat_file) {
    const std::string text = read_file_text(stat_file);
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const auto close = text.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream fields(text.substr(close + 2));
    std::string field;
    double ticks = 0;
    // state is field 3; utime and stime are fields 14 and 15 (proc(5)).
    for (int index = 3; index <= 15 && fields >> field; ++index) {
        if (index == 14 || index == 15) ticks += std::stod(field);
    }
    return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

/// CPU seconds of each thread of `pid` so far, summed by role: "event loop" (the main
/// thread, which runs the coordinator's AgentLoop), ZeroMQ's threads by name ("ZMQbg/IO/0"), and
/// "other threads".
std::map<std::string, double> cpu_by_thread(pid_t pid) {
    std::map<std::string, double> seconds;
    const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
    std::error_code error;
    for (const auto& task : std::filesystem::directory_iterator(tasks, error)) {
        const pid_t tid = std::stoi(task.path().filename().string());
        std::string name = read_file_text(task.path() / "comm");
        while (!name.empty() && name.back() == '\n') name.pop_back();
        if (tid == pid) {
            name = "event loop";
        } else if (name.rfind("ZMQbg/", 0) != 0) {
            name = "other threads";  // HTTP, preparer, status sender: named as the process
        }
        seconds[name] += task_cpu_seconds(task.path() / "stat");
    }
    return seconds;
}

struct WindowCost {
    double cpu_percent = 0;                        // of one core, averaged over the window
    std::vector<double> slice_percent;             // the same, per 5 s slice
    std::map<std::string, double> thread_percent;  // the same, by thread (cpu_by_thread)
    std::vector<double> listing_ms;
    RequestSamples listing;
};

/// Measures the coordinator for `length`: CPU time before and after, and the pipelines
/// listing polled every kListingInterval meanwhile. Prints the CPU of each 5 s slice.
WindowCost measure_window(Cluster& cluster, std::chrono::seconds length, const std::string& what) {
    WindowCost cost;
    const pid_t pid = cluster.coordinator().pid();
    RequestSampler listing(cluster.api(), "/api/v1/pipelines", kListingInterval);
    const auto started = std::chrono::steady_clock::now();
    const double cpu_before = cpu_seconds(pid);
    const auto threads_before = cpu_by_thread(pid);
    double slice_cpu = cpu_before;
    auto slice_start = started;
    std::cout << "scale: " << what << ": measuring for " << length.count()
              << " s; coordinator CPU per 5 s:" << std::flush;
    while (std::chrono::steady_clock::now() < started + length) {
        // A measurement of a fixed length, not a wait for a condition.
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
            started + length - std::chrono::steady_clock::now(), std::chrono::seconds(5)));
        const auto now = std::chrono::steady_clock::now();
        const double cpu = cpu_seconds(pid);
        cost.slice_percent.push_back(100 * (cpu - slice_cpu) / Seconds(now - slice_start).count());
        std::printf(" %.1f%%", cost.slice_percent.back());
        slice_cpu = cpu;
        slice_start = now;
    }
    std::cout << std::endl;
    const double elapsed = Seconds(std::chrono::steady_clock::now() - started).count();
    cost.cpu_percent = 100 * (cpu_seconds(pid) - cpu_before) / elapsed;
    std::cout << "scale: " << what << ": coordinator CPU by thread:";
    for (const auto& [thread, seconds] : cpu_by_thread(pid)) {
        const auto before = threads_before.find(thread);
        cost.thread_percent[thread] =
            100 * (seconds - (before == threads_before.end() ? 0 : before->second)) / elapsed;
        std::printf(" %s %.1f%%", thread.c_str(), cost.thread_percent[thread]);
    }
    std::cout << std::endl;
    cost.listing = listing.stop();
    cost.listing_ms = cost.listing.latencies_ms;
    return cost;
}

std::string fixed(double value, int decimals = 1) {
    char text[32];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

}  // namespace

TEST_CASE("scale", "[bench]") {
    const size_t agents = quick() ? 200 : 2000;
    const size_t jobs = quick() ? 1000 : 10000;
    const std::chrono::seconds window{quick() ? 15 : 60};
    const std::chrono::seconds baseline_window{quick() ? 3 : 10};

    // Each simulated agent holds a socket and its mailbox (two descriptors here) and one
    // connection at the coordinator; 1,024 more for everything else.
    const rlim_t needed = 2 * agents + 1024;
    const rlim_t limit = raise_file_limit(std::max<rlim_t>(needed, 65536));
    REQUIRE(limit >= needed);

    Cluster cluster;
    const pid_t coordinator = cluster.coordinator().pid();
    PeakRssSampler peak_rss(coordinator, std::chrono::milliseconds(100));
    const auto runners = register_sim_runners(cluster.api(), "sim", agents);
    queue_jobs(cluster, jobs);

    // Baseline: the same runners registered and the same queue, no agent connected.
    const WindowCost idle = measure_window(cluster, baseline_window, "no agents");
    const double idle_rss = rss_mib(coordinator);
    const Summary idle_listing = summarize(idle.listing_ms);

    SimAgentsOptions sim_options;
    sim_options.connects_per_second = kConnectsPerSecond;
    // FMG_SCALE_STORM=N: an open-loop ramp of N new sessions a second, none waiting for a
    // welcome first: what agents reconnecting after a coordinator restart do
    // (docs/performance/scale.md, "a reconnect storm").
    if (const char* storm = std::getenv("FMG_SCALE_STORM"); storm && std::atoi(storm) > 0) {
        sim_options.max_pending_hellos = std::numeric_limits<size_t>::max();
        sim_options.connects_per_second = std::atoi(storm);
    }
    SimAgents sim(runners, sim_options);
    const auto ramp_start = std::chrono::steady_clock::now();
    auto next_progress = ramp_start + std::chrono::seconds(5);
    sim.start();
    cluster.wait_until(
        deadline_after(kSetupTimeout),
        [&] {
            const SimAgentsStats stats = sim.stats();
            if (std::chrono::steady_clock::now() >= next_progress) {
                next_progress += std::chrono::seconds(5);
                std::cout << "scale: ramp: " << describe(stats) << std::endl;
            }
            if (!stats.failure.empty() || stats.rejects > 0) return true;  // checked below
            return stats.online == agents && stats.holding == agents &&
                   count_of(gauge_by_state(cluster, "fmg_attempts"), "running") ==
                       static_cast<int64_t>(agents);
        },
        std::to_string(agents) + " simulated agents online, each running one job");
    const double ramp_seconds = Seconds(std::chrono::steady_clock::now() - ramp_start).count();
    {
        const SimAgentsStats stats = sim.stats();
        INFO("last reject: " << stats.last_reject);
        REQUIRE(stats.failure == "");
        REQUIRE(stats.rejects == 0);
    }
    const SimAgentsStats before = sim.stats();

    const WindowCost busy = measure_window(
        cluster, window,
        std::to_string(agents) + " agents heartbeating, " + std::to_string(jobs) + " jobs");
    const double peak = peak_rss.stop();
    const SimAgentsStats after = sim.stats();
    const auto lost = lost_lines(cluster);
    const auto listing_started = std::chrono::steady_clock::now();
    const auto states = runner_states(cluster);
    const double runners_ms = std::chrono::duration<double, std::milli>(
                                  std::chrono::steady_clock::now() - listing_started)
                                  .count();
    const auto job_states = gauge_by_state(cluster, "fmg_jobs");

    std::cout << "scale: ramp " << fixed(ramp_seconds) << " s; in the window the agents sent "
              << after.heartbeats_sent - before.heartbeats_sent << " heartbeats and received "
              << after.frames_received - before.frames_received
              << " frames; since the start: " << describe(after)
              << "; runners (GET /api/v1/runners took " << fixed(runners_ms, 0)
              << " ms): " << describe(states) << "; " << lost.size()
              << " runners with lost lines; jobs: queued " << count_of(job_states, "queued")
              << ", running " << count_of(job_states, "running") << std::endl;

    // Correctness: no job was lost, finished or started twice while nothing ran.
    REQUIRE(after.failure == "");
    REQUIRE(after.rejects == 0);
    REQUIRE(count_of(job_states, "queued") + count_of(job_states, "running") ==
            static_cast<int64_t>(jobs));
    REQUIRE(busy.listing.failures == 0);

    // Every simulated agent heartbeats throughout, so every `lost` is a false one.
    size_t false_lost = 0;
    for (const auto& [host, lines] : lost) false_lost += host.rfind("sim-", 0) == 0 ? 1 : 0;
    const std::string load = std::to_string(agents) + " agents, " + std::to_string(jobs) + " jobs";
    // Per 5 s slice, so min/median/p99 show how steady it is; judged on the whole window.
    record("scale", "coordinator CPU per 5 s (" + load + ")", "% core", busy.slice_percent,
           "<= 15 % of one core (window: " + fixed(busy.cpu_percent) + " %)",
           busy.cpu_percent <= 15, "no agents: " + fixed(idle.cpu_percent) + " %");
    record("scale", "coordinator peak RSS (" + load + ")", "MiB", {peak}, "<= 256 MiB", peak <= 256,
           "no agents: " + fixed(idle_rss) + " MiB");
    record("scale", "false lost runners", "runners", {static_cast<double>(false_lost)}, "0",
           false_lost == 0,
           "agents' own session timeouts: " +
               std::to_string(after.session_timeouts - before.session_timeouts));
    const Summary listing = summarize(busy.listing_ms);
    record("scale", "GET /api/v1/pipelines", "ms", busy.listing_ms, "p99 <= 50 ms",
           listing.p99 <= 50,
           "no agents: p50 " + fixed(idle_listing.median) + " / p99 " + fixed(idle_listing.p99) +
               " ms");
    record("scale", "ramp: all agents online and holding a job", "s", {ramp_seconds});
    sim.stop();
}

}  // namespace fmg::bench
