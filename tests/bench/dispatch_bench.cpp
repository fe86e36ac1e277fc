// dispatch: how long a push takes to become a running process on an agent. One shell-executor
// agent, a small repository whose mirror is warm (a warm-up pipeline cloned it), and one
// pipeline at a time, each finished before the next push. The pipeline's one job runs one
// step whose first action prints the wall-clock time.
//
// Two kinds of push alternate: a new commit (the usual push: the coordinator fetches it into
// its mirror before it can read .circleci/config.yml at that commit) and the same commit
// again (already in the mirror, so nothing is fetched: fmg's own path alone). Each is
// reported on its own. Then 50 more new commits whose job checks out before its step, as most
// jobs do: the agent fetches the commit into its own mirror and checks it out, in the
// fmg-checkout helper process it starts for each checkout (what that costs is reported).
//
// Measured per pipeline: from just before the webhook POST to the time the step printed. The
// step prints bash's $EPOCHREALTIME (a builtin: no fork of its own, microseconds), so the
// time is taken inside the step's process once its shell runs, not when the agent meant to
// start it (the step's `started_at` is that, and only to the millisecond). Both ends read
// this machine's CLOCK_REALTIME, so the difference is exact to microseconds unless NTP steps
// the clock during the run. Where the time goes is split at the attempt's `created_at` (the
// coordinator's clock, to the millisecond): before it, webhook, pipeline row, mirror fetch,
// config parse and dispatch; after it, the assign message and the agent starting the step.
//
// Baselines, measured in the same run, that no dispatch here can beat: the webhook's HTTP
// round trip alone (the 202 is sent once the pipeline row is committed, before any step can
// start) and starting the step's shell the same way with nothing in between (fork+exec of
// `bash -eo pipefail -c 'echo ...$EPOCHREALTIME'`, timed the same way).
//
// Budget: 250 pipelines of ~60-130 ms each plus a commit for most: ~50 s at full size on this
// 2-core machine under other engineers' load, ~8 s with --quick.

#include <catch2/catch.hpp>
#include <chrono>
#include <sstream>

#include "shared/time_format.h"
#include "tests/bench/bench_options.h"
#include "tests/bench/printed_time.h"
#include "tests/bench/report.h"
#include "tests/support/cluster.h"
#include "tests/support/held_job.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace fmg::bench {
namespace {

// The line the step prints first, with the time.
const std::string kMarker = "fmg-dispatch-started ";
std::string print_time_command() {
    return "echo \"" + kMarker + kShellEpochTime + "\"";
}

// The job: the step that prints the time, after a checkout when `checkout` is set.
std::string dispatch_config(bool checkout) {
    return std::string(
               "version: 2.1\n"
               "jobs:\n"
               "  build:\n"
               "    docker:\n"
               "      - image: fmg/busybox:latest\n"
               "    steps:\n") +
           (checkout ? "      - checkout\n" : "") + "      - run: '" + print_time_command() + "'\n";
}

// The time the step printed after kMarker in `log`.
WallTime printed_time(const std::string& log) {
    const auto at = log.find(kMarker);
    INFO("log: " << log);
    REQUIRE(at != std::string::npos);
    const auto begin = at + kMarker.size();
    const auto end = log.find('\n', begin);
    return parse_epoch_seconds(log.substr(begin, end - begin));
}

// Fork+exec of the step's shell printing the time, the way the agent starts a step, timed
// from just before the fork to the printed time.
double shell_start_ms() {
    ProcessOptions options;
    options.argv = {"bash", "-eo", "pipefail", "-c", print_time_command()};
    const WallTime before = std::chrono::system_clock::now();
    const CommandResult result = run_command(options, std::chrono::seconds(10));
    REQUIRE(result.ok());
    return millis_between(before, printed_time(result.out));
}

// The durations of the mirror fetches the coordinator logged ("git: fetched URL into DIR in
// N ms (...)"), after the first `skip` of them.
std::vector<double> logged_fetch_ms(const std::string& log, size_t skip) {
    std::vector<double> durations;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
        if (line.find("git: fetched ") == std::string::npos) continue;
        const auto end = line.rfind(" ms (");
        const auto begin = line.rfind(" in ", end);
        if (end == std::string::npos || begin == std::string::npos) continue;
        if (skip > 0) {
            --skip;
            continue;
        }
        durations.push_back(std::stod(line.substr(begin + 4, end - begin - 4)));
    }
    return durations;
}

std::string describe(const std::string& what, const std::vector<double>& samples) {
    const Summary summary = summarize(samples);
    std::ostringstream text;
    text.setf(std::ios::fixed);
    text.precision(1);
    text << what << " median " << summary.median << " ms, p99 " << summary.p99 << " ms";
    return text.str();
}

// The samples of one kind of push.
struct Samples {
    std::vector<double> dispatch;  // webhook -> step process started
    std::vector<double> assigned;  // webhook -> attempt created (the job dispatched)
    std::vector<double> started;   // attempt created -> step process started
    std::vector<double> checkout;  // the checkout step's own time, where the job has one
};

// Pushes `sha`, waits for the pipeline to succeed and adds its figures to `samples`; returns
// the webhook's round trip in milliseconds.
double measure_push(Cluster& cluster, const GitRepo& repo, const std::string& sha,
                    Samples& samples) {
    const WallTime before = std::chrono::system_clock::now();
    const int64_t id = cluster.push(repo, sha);
    const double round_trip = millis_between(before, std::chrono::system_clock::now());
    const auto pipeline = cluster.wait_for_final(id);
    INFO(to_json(pipeline));
    REQUIRE(string_field(pipeline, "status") == "success");
    const WallTime printed = printed_time(job_log(cluster, id, "build"));
    const auto attempts = job_attempts(pipeline, "build");
    REQUIRE(attempts.size() == 1);
    const auto created = parse_rfc3339_ms(string_field(attempts[0], "created_at"));
    REQUIRE(created);
    const WallTime assigned{std::chrono::milliseconds(*created)};
    samples.dispatch.push_back(millis_between(before, printed));
    samples.assigned.push_back(millis_between(before, assigned));
    samples.started.push_back(millis_between(assigned, printed));
    const auto job = find_named(pipeline, "jobs", "build");
    for (const auto& step : object_array(job, "steps")) {
        if (string_field(step, "name") != "checkout") continue;
        const auto began = parse_rfc3339_ms(string_field(step, "started_at"));
        const auto ended = parse_rfc3339_ms(string_field(step, "finished_at"));
        REQUIRE((began && ended));
        samples.checkout.push_back(static_cast<double>(*ended - *began));
    }
    return round_trip;
}

}  // namespace

TEST_CASE("dispatch", "[bench]") {
    Cluster cluster;
    AgentOptions agent;
    agent.executor = "shell";
    agent.extra_args = {"--capacity", "8"};
    cluster.start_runner("dispatch-agent", agent);
    GitRepo repo = cluster.make_repo();
    repo.write_config(dispatch_config(false));

    // Warm-up: the coordinator's mirror of the repository is cloned, the agent connected.
    const int64_t warm = cluster.push(repo, repo.commit("warm up"));
    REQUIRE(string_field(cluster.wait_for_final(warm), "status") == "success");

    const int pairs = repetitions(100, 10);  // two pipelines each
    Samples fetched;
    Samples mirrored;
    std::vector<double> round_trip;
    std::vector<double> shell_start;
    for (int i = 0; i < pairs; ++i) {
        repo.write_file("counter.txt", std::to_string(i) + "\n");
        const std::string sha = repo.commit("change " + std::to_string(i));
        round_trip.push_back(measure_push(cluster, repo, sha, fetched));
        round_trip.push_back(measure_push(cluster, repo, sha, mirrored));
        shell_start.push_back(shell_start_ms());
    }
    // The warm-up's fetch (the mirror's first) is not one of them.
    const auto fetches = logged_fetch_ms(read_file_text(cluster.coordinator().stderr_path()), 1);

    // Jobs as most are written: a checkout first (the agent fetches the new commit into its
    // own mirror and checks it out in its fmg-checkout helper), then the step.
    repo.write_config(dispatch_config(true));
    const int checkout_pushes = repetitions(50, 5);
    Samples checked_out;
    for (int i = 0; i < checkout_pushes; ++i) {
        repo.write_file("counter.txt", "checkout " + std::to_string(i) + "\n");
        measure_push(cluster, repo, repo.commit("checkout " + std::to_string(i)), checked_out);
    }

    const std::string target = "p50 <= 15 ms, p99 <= 50 ms";
    const std::string baseline = describe("webhook round trip alone", round_trip) + "; " +
                                 describe("fork+exec of the step's shell", shell_start);
    const auto met = [](const std::vector<double>& samples) {
        const Summary summary = summarize(samples);
        return summary.median <= 15 && summary.p99 <= 50;
    };
    record("dispatch", "webhook -> step process started (new commit)", "ms", fetched.dispatch,
           target, met(fetched.dispatch), baseline);
    record("dispatch", "  of which webhook -> job assigned", "ms", fetched.assigned);
    if (fetches.size() == fetched.dispatch.size()) {  // one per new commit, none else
        record("dispatch", "    of which mirror fetch (coordinator's log)", "ms", fetches);
    } else {
        WARN("the coordinator logged " << fetches.size() << " mirror fetches for "
                                       << fetched.dispatch.size() << " new commits");
    }
    record("dispatch", "  of which job assigned -> process started", "ms", fetched.started);
    record("dispatch", "webhook -> step process started (commit in mirror)", "ms",
           mirrored.dispatch, target, met(mirrored.dispatch), baseline);
    record("dispatch", "  of which webhook -> job assigned", "ms", mirrored.assigned);
    record("dispatch", "webhook -> step process started (new commit, checkout first)", "ms",
           checked_out.dispatch);
    record("dispatch", "  of which the checkout step (agent's fetch + checkout)", "ms",
           checked_out.checkout);
    cluster.stop_gracefully();
}

}  // namespace fmg::bench
