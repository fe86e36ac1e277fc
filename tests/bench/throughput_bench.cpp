// throughput: how many jobs fmg pushes through its runners per second when a burst of work
// arrives at once. 2,000 one-step jobs (quick: 200) go through 4 agents of capacity 8 with
// the shell executor; the figure is jobs per second from the first push webhook sent to the
// last job's `finished_at`. Every job must end `success` after exactly one attempt, its log
// must hold its own marker once, and a file every step appends its marker to must hold each
// marker exactly once: no job lost, none run twice. Three rounds (quick: one) on the same
// cluster, each followed by its baseline.
//
// Submission: four pushes, each of a commit whose config has a quarter of the jobs, all
// independent (one workflow listing them). Four because a config holds at most 500 jobs
// (shared/pipeline/constants.h kMaxJobs), and few pushes rather than 2,000 because each push
// costs a webhook, a fetch and a config parse that the dispatch scenario measures on its own:
// here the scheduler, the agents and the log and status paths carry the load.
//
// Baseline: the same 2,000 step commands run by `xargs -P 32 bash -eo pipefail -c` (the
// shell the executor uses, as many at once as the cluster's slots), which is what
// spawning the steps alone costs on this machine.
//
// Three rounds, judged on the median one: a round is a figure over seconds of steady load,
// and this VM's speed drifts by tens of percent from one to the next. At 300-400 jobs/s a
// round takes 5-7 s, plus a few seconds of checks (2,000 log reads) and its baseline (~1.5 s).
// Budget: ~25 s (quick: ~5 s).

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <iomanip>
#include <map>
#include <sstream>
#include <thread>

#include "shared/time_format.h"
#include "tests/bench/bench_options.h"
#include "tests/bench/proc_stats.h"
#include "tests/bench/report.h"
#include "tests/support/cluster.h"
#include "tests/support/held_job.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace fmg::bench {
namespace {

constexpr int kAgents = 4;
constexpr int kCapacity = 8;
constexpr int kPushes = 4;
constexpr double kTargetJobsPerSecond = 300;
constexpr std::chrono::minutes kAllFinalTimeout{5};
constexpr std::chrono::milliseconds kFinalPollInterval{250};

std::string job_name(int job) {
    std::ostringstream name;
    name << "j" << std::setw(4) << std::setfill('0') << job;
    return name.str();
}

// What job `job` of push `push` prints; unique among the scenario's jobs.
std::string marker(int push, int job) {
    return "ran p" + std::to_string(push) + "-" + job_name(job);
}

// The step prints its marker and appends it to `ran_file`. The marker is assembled by printf
// so that the command text, should it ever be logged, does not contain it.
std::string step_command(const std::string& marker_text, const std::filesystem::path& ran_file) {
    const std::string tail = marker_text.substr(4);  // after "ran "
    return "printf 'ran %s\\n' " + tail + " >> '" + ran_file.string() + "'; printf 'ran %s\\n' " +
           tail;
}

// A config of `jobs` independent one-step jobs, all in one workflow.
std::string wide_config(int push, int jobs, const std::filesystem::path& ran_file) {
    std::ostringstream yaml;
    yaml << "version: 2.1\njobs:\n";
    for (int job = 0; job < jobs; ++job) {
        yaml << "  " << job_name(job) << ":\n"
             << "    docker:\n      - image: fmg/busybox:latest\n"
             << "    steps:\n      - run: |\n          "
             << step_command(marker(push, job), ran_file) << "\n";
    }
    yaml << "workflows:\n  all:\n    jobs:\n";
    for (int job = 0; job < jobs; ++job) yaml << "      - " << job_name(job) << "\n";
    return yaml.str();
}

int64_t wall_ms_of(const Poco::JSON::Object::Ptr& object, const std::string& key) {
    const std::string text = string_field(object, key);
    const auto parsed = parse_rfc3339_ms(text);
    if (!parsed) FAIL(key << " is not RFC 3339: " << text);
    return *parsed;
}

size_t count_of(const std::string& text, const std::string& needle) {
    size_t count = 0;
    for (size_t at = text.find(needle); at != std::string::npos;
         at = text.find(needle, at + needle.size())) {
        ++count;
    }
    return count;
}

// Waits until every pipeline of `ids` is final, polling the light listing (no jobs in it)
// every kFinalPollInterval: the figure comes from the jobs' `finished_at`, so polling faster
// would only take CPU from the coordinator and the steps.
void wait_all_final(Cluster& cluster, const std::vector<int64_t>& ids) {
    const std::string path = "/api/v1/pipelines?limit=" + std::to_string(ids.size());
    const Deadline deadline = deadline_after(kAllFinalTimeout);
    for (;;) {
        const HttpResponse listed = cluster.api().get(path);
        if (listed.status != 200) FAIL("GET " << path << ": " << listed.describe());
        std::map<int64_t, std::string> status;
        for (const auto& pipeline : object_array(listed.json(), "data")) {
            status[int_field(pipeline, "id")] = string_field(pipeline, "status");
        }
        const bool all_final = std::all_of(ids.begin(), ids.end(), [&](int64_t id) {
            return is_final_pipeline_status(status[id]);
        });
        if (all_final) return;
        if (Clock::now() >= deadline) {
            FAIL("the pipelines did not all end within " << kAllFinalTimeout.count()
                                                         << " min: " << listed.body << "\n"
                                                         << tail_files(cluster.log_files()));
        }
        std::this_thread::sleep_for(kFinalPollInterval);
    }
}

// Where a job's time goes once it has a slot, by the API's times (ms): the attempt's
// `created_at` (assigned) -> its step's `started_at` -> the step's `finished_at` -> the job's
// `finished_at`.
struct JobPhases {
    std::vector<double> assigned_to_step;
    std::vector<double> step;
    std::vector<double> step_to_final;

    void add(const Poco::JSON::Object::Ptr& job, const Poco::JSON::Object::Ptr& attempt) {
        const auto steps = object_array(job, "steps");
        if (steps.size() != 1) FAIL("not one step: " << to_json(job));
        const int64_t assigned = wall_ms_of(attempt, "created_at");
        const int64_t started = wall_ms_of(steps[0], "started_at");
        const int64_t ended = wall_ms_of(steps[0], "finished_at");
        const int64_t final = wall_ms_of(job, "finished_at");
        assigned_to_step.push_back(static_cast<double>(started - assigned));
        step.push_back(static_cast<double>(ended - started));
        step_to_final.push_back(static_cast<double>(final - ended));
    }
};

// Checks that every job of the pipeline ran once and succeeded; returns its latest
// `finished_at` in epoch ms.
int64_t check_pipeline(const Cluster& cluster, int64_t id, int push, int jobs, JobPhases& phases) {
    const auto pipeline = cluster.pipeline(id);
    INFO("pipeline " << id << " (" << string_field(pipeline, "status") << ")");
    REQUIRE(string_field(pipeline, "status") == "success");
    const auto listed = object_array(pipeline, "jobs");
    REQUIRE(listed.size() == static_cast<size_t>(jobs));
    std::map<std::string, Poco::JSON::Object::Ptr> by_name;
    for (const auto& job : listed) by_name[string_field(job, "name")] = job;
    int64_t last_final = 0;
    for (int job = 0; job < jobs; ++job) {
        const auto found = by_name[job_name(job)];
        if (!found) FAIL("pipeline " << id << " has no job " << job_name(job));
        const auto attempts = object_array(found, "attempts");
        const bool ran_once = string_field(found, "status") == "success" && attempts.size() == 1 &&
                              string_field(attempts[0], "status") == "success";
        if (!ran_once) FAIL("job " << job_name(job) << " did not succeed once: " << to_json(found));
        last_final = std::max(last_final, wall_ms_of(found, "finished_at"));
        phases.add(found, attempts[0]);
        const std::string log = job_log(cluster, id, job_name(job));
        if (count_of(log, marker(push, job) + "\n") != 1) {
            FAIL("the log of " << job_name(job) << " does not hold its marker once: " << log);
        }
    }
    return last_final;
}

// Every marker exactly once in the file the steps append to.
void check_ran_file(const std::filesystem::path& ran_file, int jobs_per_push) {
    std::map<std::string, int> seen;
    std::ifstream in(ran_file);
    for (std::string line; std::getline(in, line);) ++seen[line];
    REQUIRE(seen.size() == static_cast<size_t>(kPushes * jobs_per_push));
    for (int push = 0; push < kPushes; ++push) {
        for (int job = 0; job < jobs_per_push; ++job) {
            const int times = seen[marker(push, job)];
            if (times != 1) FAIL(marker(push, job) << " ran " << times << " times");
        }
    }
}

// The baseline: the same commands, `kAgents * kCapacity` at a time, straight from xargs.
double spawn_baseline(const TempDir& dir, int jobs) {
    const std::filesystem::path ran_file = dir / "baseline-ran.txt";
    std::ostringstream script;
    for (int job = 0; job < jobs; ++job) {
        script << step_command(marker(0, job), ran_file) << "\n";
    }
    const std::filesystem::path commands = dir / "baseline-commands.txt";
    std::ofstream(commands) << script.str();
    ProcessOptions options;
    options.argv = {"xargs",
                    "-d",
                    "\\n",
                    "-P",
                    std::to_string(kAgents * kCapacity),
                    "-n",
                    "1",
                    "-a",
                    commands.string(),
                    "bash",
                    "-eo",
                    "pipefail",
                    "-c"};
    const auto started = Clock::now();
    const CommandResult result = run_command(options, std::chrono::minutes(2));
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    INFO(result.describe(options.argv));
    REQUIRE(result.ok());
    return jobs / seconds;
}

}  // namespace

TEST_CASE("throughput", "[bench]") {
    const int jobs_per_push = repetitions(2000, 200) / kPushes;
    const int total_jobs = jobs_per_push * kPushes;
    Cluster cluster;
    AgentOptions agent;
    agent.executor = "shell";
    agent.extra_args = {"--capacity", std::to_string(kCapacity)};
    std::vector<Process*> agents;
    for (int i = 0; i < kAgents; ++i) {
        agents.push_back(&cluster.start_runner("tp-agent-" + std::to_string(i), agent));
    }
    // CPU time of the coordinator and of the agents together (their steps not included).
    auto cpu_of = [&] {
        std::pair<double, double> used{cpu_seconds(cluster.coordinator().pid()), 0};
        for (Process* process : agents) used.second += cpu_seconds(process->pid());
        return used;
    };

    // Each round: commits first (only the pushes are timed), then the burst, the checks,
    // and the baseline right after it, so both see the same machine.
    std::vector<double> rates, baselines, coordinator_ms_per_job, agents_ms_per_job;
    JobPhases phases;
    const int rounds = repetitions(3, 1);
    for (int round = 0; round < rounds; ++round) {
        const std::filesystem::path ran_file =
            cluster.dir() / ("ran-" + std::to_string(round) + ".txt");
        GitRepo repo = cluster.make_repo();
        std::vector<std::string> shas;
        for (int push = 0; push < kPushes; ++push) {
            repo.write_config(wide_config(push, jobs_per_push, ran_file));
            shas.push_back(repo.commit("push " + std::to_string(push)));
        }
        const auto cpu_before = cpu_of();
        const int64_t first_submit_ms = wall_clock_ms();
        std::vector<int64_t> ids;
        for (const std::string& sha : shas) ids.push_back(cluster.push(repo, sha));
        wait_all_final(cluster, ids);
        const auto cpu_after = cpu_of();

        int64_t last_final_ms = 0;
        for (int push = 0; push < kPushes; ++push) {
            last_final_ms =
                std::max(last_final_ms, check_pipeline(cluster, ids[static_cast<size_t>(push)],
                                                       push, jobs_per_push, phases));
        }
        check_ran_file(ran_file, jobs_per_push);
        const double seconds = static_cast<double>(last_final_ms - first_submit_ms) / 1000.0;
        REQUIRE(seconds > 0);
        const double coordinator_cpu = cpu_after.first - cpu_before.first;
        const double agents_cpu = cpu_after.second - cpu_before.second;
        std::cout << "throughput: " << total_jobs << " jobs in " << seconds << " s ("
                  << total_jobs / seconds << " jobs/s), CPU: coordinator " << coordinator_cpu
                  << " s, agents " << agents_cpu << " s" << std::endl;
        rates.push_back(total_jobs / seconds);
        coordinator_ms_per_job.push_back(coordinator_cpu * 1000 / total_jobs);
        agents_ms_per_job.push_back(agents_cpu * 1000 / total_jobs);
        baselines.push_back(spawn_baseline(cluster.dir(), total_jobs));
    }

    const double median_rate = summarize(rates).median;
    std::ostringstream baseline_text;
    baseline_text << std::fixed << std::setprecision(0) << summarize(baselines).median
                  << " jobs/s (median): the same commands by xargs -P " << kAgents * kCapacity;
    const std::string what = std::to_string(total_jobs) + " one-step jobs, " +
                             std::to_string(kAgents) + " agents x " + std::to_string(kCapacity);
    record("throughput", what, "jobs/s", rates, ">= 300 jobs/s (median), none lost or twice",
           median_rate >= kTargetJobsPerSecond, baseline_text.str());
    record("throughput", "coordinator CPU per job", "ms", coordinator_ms_per_job);
    record("throughput", "agents' CPU per job (steps not included)", "ms", agents_ms_per_job);
    record("throughput", "a job: assigned -> step started", "ms", phases.assigned_to_step);
    record("throughput", "a job: its step ran", "ms", phases.step);
    record("throughput", "a job: step ended -> job final", "ms", phases.step_to_final);
    cluster.stop_gracefully();
}

}  // namespace fmg::bench
