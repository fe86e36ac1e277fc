// heal: how quickly a job gets going again when the runner running it dies or hangs. Two
// agents (shell executor, capacity 1) and the coordinator's default liveness settings
// (heartbeat 1000 ms, agent timeout 3000 ms). In each round a job holds in its step on one
// agent (tests/support/held_job.h) while the other is idle; then the busy agent is
//   crash:  killed with SIGKILL (its connection closes: the coordinator can know at once), or
//   freeze: stopped with SIGSTOP (its connection stays up: only the heartbeat timeout tells),
// and the figure is the time from the signal to the `started_at` of the retry's first step
// on the idle agent. 10 rounds of each (quick: 2). After each round the held steps are let
// go, the pipeline must succeed with the first attempt `lost` and the second on the other
// runner, and the broken agent is brought back (restarted, or SIGCONT) and must be online and
// idle again before the next round.
//
// Baseline: push webhook -> first step started of the same job's first attempt, measured in
// every round: what starting a job costs anyway, so the rest of a heal figure is detection.
//
// Budget: a crash round takes about 2 s, a freeze round about 3 s of timeout plus the woken
// agent's reconnection; 20 rounds: about 2 minutes.

#include <catch2/catch.hpp>
#include <csignal>
#include <iomanip>
#include <map>
#include <sstream>

#include "tests/bench/bench_options.h"
#include "tests/bench/report.h"
#include "tests/support/cluster.h"
#include "tests/support/held_job.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace fmg::bench {
namespace {

constexpr double kCrashTargetMs = 1000;
constexpr double kFreezeTargetMs = 3250;  // the default agent timeout (3000 ms) + 250 ms
constexpr std::chrono::seconds kRecoveryTimeout{30};

enum class Fault { crash, freeze };

// The two agents by host; a restarted agent replaces its killed process here.
struct Agents {
    AgentOptions options;
    std::map<std::string, Process*> by_host;

    std::string other(const std::string& host) const {
        for (const auto& [name, process] : by_host) {
            if (name != host) return name;
        }
        FAIL("no agent other than " << host);
        return {};
    }
};

// Polls until runner `host` is online with no attempt on it.
void wait_until_idle(Cluster& cluster, const std::string& host) {
    cluster.wait_until(
        deadline_after(kRecoveryTimeout),
        [&] {
            const auto runner = cluster.find_runner(host);
            return runner && optional_string(runner, "state") == "online" &&
                   array_field(runner, "running")->size() == 0;
        },
        "runner " + host + " to be online and idle again");
}

// Checks how the round ended: success, the first attempt lost on `broken`, the second a
// success on `survivor`.
void check_healed(Cluster& cluster, int64_t id, const std::string& broken,
                  const std::string& survivor) {
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    REQUIRE(string_field(pipeline, "status") == "success");
    const auto attempts = job_attempts(pipeline, "build");
    REQUIRE(attempts.size() == 2);
    CHECK(string_field(attempts[0], "runner") == broken);
    CHECK(string_field(attempts[0], "status") == "lost");
    CHECK(string_field(attempts[1], "runner") == survivor);
    CHECK(string_field(attempts[1], "status") == "success");
}

struct RoundFigures {
    double heal_ms = 0;
    double start_ms = 0;  // push -> first attempt's first step started
};

RoundFigures run_round(Cluster& cluster, Agents& agents, GitRepo& repo, const std::string& sha,
                       Fault fault) {
    RoundFigures figures;
    const auto pushed_at = std::chrono::system_clock::now();
    const int64_t id = cluster.push(repo, sha);
    const auto first = wait_until_held(cluster, id, 1);
    figures.start_ms = static_cast<double>(
        first_step_started_after(cluster.pipeline(id), "build", pushed_at).count());
    const std::string broken = string_field(first, "runner");
    REQUIRE(agents.by_host.count(broken) == 1);
    const std::string survivor = agents.other(broken);
    Process& victim = *agents.by_host.at(broken);

    const auto signalled_at = std::chrono::system_clock::now();
    victim.kill(fault == Fault::crash ? SIGKILL : SIGSTOP);
    const auto second = wait_until_held(cluster, id, 2);
    REQUIRE(string_field(second, "runner") == survivor);
    figures.heal_ms = static_cast<double>(
        first_step_started_after(cluster.pipeline(id), "build", signalled_at).count());

    REQUIRE(release_held_steps(cluster, survivor) == 1);
    if (fault == Fault::freeze) {
        // The frozen agent's step goes on without it; let it end too. Its late result is
        // refused once the agent wakes up.
        REQUIRE(release_held_steps(cluster, broken) == 1);
    }
    check_healed(cluster, id, broken, survivor);

    if (fault == Fault::crash) {
        REQUIRE(victim.wait_for(deadline_after(std::chrono::seconds(5))));
        agents.by_host[broken] = &cluster.restart_agent(broken, agents.options);
    } else {
        victim.kill(SIGCONT);
    }
    wait_until_idle(cluster, broken);
    wait_until_idle(cluster, survivor);
    return figures;
}

std::string fixed(double value) {
    std::ostringstream text;
    text << std::fixed << std::setprecision(0) << value;
    return text.str();
}

}  // namespace

TEST_CASE("heal", "[bench]") {
    const int rounds = repetitions(10, 2);
    Cluster cluster;  // default heartbeat and agent timeout
    Agents agents;
    agents.options.executor = "shell";
    for (const std::string host : {"heal-a", "heal-b"}) {
        agents.by_host[host] = &cluster.start_runner(host, agents.options);
    }
    GitRepo repo = cluster.make_repo();
    repo.write_config(held_job_config());
    const std::string sha = repo.commit("A step that holds until released");

    std::vector<double> crash_ms;
    std::vector<double> freeze_ms;
    std::vector<double> start_ms;
    for (int round = 0; round < rounds; ++round) {
        for (const Fault fault : {Fault::crash, Fault::freeze}) {
            const RoundFigures figures = run_round(cluster, agents, repo, sha, fault);
            (fault == Fault::crash ? crash_ms : freeze_ms).push_back(figures.heal_ms);
            start_ms.push_back(figures.start_ms);
            std::cout << "heal round " << round + 1 << " "
                      << (fault == Fault::crash ? "kill -9" : "SIGSTOP") << ": retry's first step "
                      << figures.heal_ms << " ms after the signal (push -> first step "
                      << figures.start_ms << " ms)" << std::endl;
        }
    }

    const std::string baseline =
        "push -> first step started " + fixed(summarize(start_ms).median) + " ms (median)";
    record("heal", "kill -9 -> retry's first step started", "ms", crash_ms, "<= 1000 ms",
           summarize(crash_ms).p99 <= kCrashTargetMs, baseline);
    record("heal", "SIGSTOP -> retry's first step started", "ms", freeze_ms,
           "<= 3250 ms (agent timeout 3000 + 250)", summarize(freeze_ms).p99 <= kFreezeTargetMs,
           baseline + "; agent timeout 3000 ms");
    cluster.stop_gracefully();
}

}  // namespace fmg::bench
