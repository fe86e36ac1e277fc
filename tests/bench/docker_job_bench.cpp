// docker-job: what fmg adds to running a command in a container. One Docker-executor agent;
// a pipeline whose one job runs one step, `true`, in the local image fmg/busybox:latest,
// timed from just before the signed push webhook is POSTed to the job's `finished_at` (its
// `success` as the coordinator recorded it; the coordinator's clock is this machine's, to
// the millisecond), and split where the API's times allow. Against it, in the same run and
// alternating with it so both see the same load: `docker run --rm fmg/busybox:latest true`,
// timed around the CLI process. The figure is the ratio of the medians.
//
// What fmg does for the job, in order: webhook, pipeline row, config read from the warm
// mirror, dispatch over ZeroMQ, then on the agent (agent/executor/docker_*): image inspect,
// container create and start (a keep-alive shell), a look for /bin/bash, the step as an
// exec (create, start with attached output, inspect for the exit code), container removal
// (force), and the job's result back to the coordinator. `docker run --rm` does create,
// attach, start, wait and remove.
//
// Budget: 20 of each at 1.5-2 s apiece: 75-100 s at full size on this 2-core machine under
// other engineers' load (Docker's container start dominates), ~15 s with --quick.

#include <catch2/catch.hpp>
#include <chrono>
#include <sstream>

#include "shared/time_format.h"
#include "tests/bench/bench_options.h"
#include "tests/bench/printed_time.h"
#include "tests/bench/report.h"
#include "tests/support/cluster.h"
#include "tests/support/docker.h"
#include "tests/support/held_job.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace fmg::bench {
namespace {

std::string true_config() {
    return "version: 2.1\n"
           "jobs:\n"
           "  build:\n"
           "    docker:\n"
           "      - image: " +
           kTestImage +
           "\n"
           "    steps:\n"
           "      - run: 'true'\n";
}

// The job's time and where it went, per pipeline.
struct JobSamples {
    std::vector<double> total;     // webhook -> job success
    std::vector<double> assigned;  // webhook -> attempt created
    std::vector<double> setup;     // attempt created -> step started (containers up)
    std::vector<double> step;      // the step (an exec of `true`)
    std::vector<double> teardown;  // step finished -> job success (containers removed)
};

// A time of the API (RFC 3339 with milliseconds, the coordinator's or agent's clock).
WallTime api_time(const Poco::JSON::Object::Ptr& object, const std::string& field) {
    const auto parsed = parse_rfc3339_ms(optional_string(object, field).value_or(""));
    REQUIRE(parsed);
    return WallTime{std::chrono::milliseconds(*parsed)};
}

// Pushes a new commit, waits for the job to succeed and adds its figures to `samples`: from
// just before the webhook POST to the job's `finished_at`, split at the attempt's
// `created_at` and the step's `started_at` and `finished_at`.
void time_job(Cluster& cluster, GitRepo& repo, int round, JobSamples* samples) {
    repo.write_file("round.txt", std::to_string(round) + "\n");
    const std::string sha = repo.commit("round " + std::to_string(round));
    const WallTime before = std::chrono::system_clock::now();
    const int64_t id = cluster.push(repo, sha);
    const auto pipeline = cluster.wait_for_final(id);
    INFO(to_json(pipeline));
    REQUIRE(string_field(pipeline, "status") == "success");
    if (samples == nullptr) return;
    const auto job = find_named(pipeline, "jobs", "build");
    const auto attempts = job_attempts(pipeline, "build");
    REQUIRE(attempts.size() == 1);
    const auto steps = object_array(job, "steps");
    REQUIRE(steps.size() == 1);
    const WallTime assigned = api_time(attempts[0], "created_at");
    const WallTime step_started = api_time(steps[0], "started_at");
    const WallTime step_finished = api_time(steps[0], "finished_at");
    const WallTime finished = api_time(job, "finished_at");
    samples->total.push_back(millis_between(before, finished));
    samples->assigned.push_back(millis_between(before, assigned));
    samples->setup.push_back(millis_between(assigned, step_started));
    samples->step.push_back(millis_between(step_started, step_finished));
    samples->teardown.push_back(millis_between(step_finished, finished));
}

// Runs `docker run --rm IMAGE true` and returns how long the CLI took, in milliseconds.
double time_docker_run() {
    ProcessOptions options;
    options.argv = {"docker", "run", "--rm", kTestImage, "true"};
    const auto before = std::chrono::steady_clock::now();
    const CommandResult result = run_command(options, std::chrono::seconds(60));
    const auto after = std::chrono::steady_clock::now();
    INFO(result.describe(options.argv));
    REQUIRE(result.ok());
    return std::chrono::duration<double, std::milli>(after - before).count();
}

}  // namespace

TEST_CASE("docker-job", "[bench]") {
    require_docker();
    Cluster cluster;
    cluster.start_runner("docker-agent");  // the Docker executor
    GitRepo repo = cluster.make_repo();
    repo.write_config(true_config());

    // Warm-up, not counted: the mirror, the agent's connection, Docker's caches.
    time_job(cluster, repo, 0, nullptr);
    (void)time_docker_run();

    const int count = repetitions(20, 3);
    JobSamples job;
    std::vector<double> docker_run;
    for (int i = 1; i <= count; ++i) {
        time_job(cluster, repo, i, &job);
        docker_run.push_back(time_docker_run());
    }

    const double job_median = summarize(job.total).median;
    const double run_median = summarize(docker_run).median;
    const double ratio = job_median / run_median;
    std::ostringstream baseline;
    baseline.setf(std::ios::fixed);
    baseline.precision(1);
    baseline << "docker run --rm " << kTestImage << " true, alternating: median " << run_median
             << " ms";
    record("docker-job", "webhook -> job success (Docker)", "ms", job.total);
    record("docker-job", "  of which webhook -> job assigned", "ms", job.assigned);
    record("docker-job", "  of which assigned -> step started (container up)", "ms", job.setup);
    record("docker-job", "  of which the step (exec of true)", "ms", job.step);
    record("docker-job", "  of which step end -> job success (container removed)", "ms",
           job.teardown);
    record("docker-job", "docker run --rm IMAGE true", "ms", docker_run);
    record("docker-job", "ratio of medians (fmg / docker run)", "x", {ratio}, "<= 1.3",
           ratio <= 1.3, baseline.str());
    cluster.stop_gracefully();
}

}  // namespace fmg::bench
