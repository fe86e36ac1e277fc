#include "tests/support/held_job.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>

#include "tests/support/json.h"
#include "tests/support/process.h"

namespace fmg::testing {
namespace {

// `still_started_by_agent`: the shell's parent is still the process that started it (an
// orphan is re-parented at once, even while its dead parent is not yet reaped). Docker exec
// processes see parent 0 both ways, so there only `release` ends the wait.
const std::string kHeldJobConfig = R"yaml(version: 2.1
jobs:
  build:
    docker:
      - image: fmg/busybox:latest
    steps:
      - checkout
      - run:
          name: Hold
          command: |
            still_started_by_agent() { [ "$(cut -d' ' -f4 /proc/$$/stat)" = "$PPID" ]; }
            touch holding
            where="$PWD${FMG_STEP_ID:+ (step $FMG_STEP_ID)}"
            echo "first line in $where"
            while [ ! -f release ] && still_started_by_agent; do sleep 0.05; done
            [ -f release ]
            echo "last line in $where"
)yaml";

CommandResult docker_command(const std::vector<std::string>& argv) {
    ProcessOptions options;
    options.argv = argv;
    return run_command(options, std::chrono::seconds(60));
}

}  // namespace

std::string held_job_config() {
    return kHeldJobConfig;
}

HeldPipeline push_held_job(Cluster& cluster) {
    GitRepo repo = cluster.make_repo();
    repo.write_config(held_job_config());
    HeldPipeline pushed;
    pushed.sha = repo.commit("A step that holds until released");
    pushed.id = cluster.push(repo, pushed.sha);
    return pushed;
}

std::vector<Poco::JSON::Object::Ptr> job_attempts(const Poco::JSON::Object::Ptr& pipeline,
                                                  const std::string& job) {
    for (const auto& element : object_array(pipeline, "jobs")) {
        if (optional_string(element, "name") == job) return object_array(element, "attempts");
    }
    return {};  // not prepared yet
}

std::string job_log(const Cluster& cluster, int64_t pipeline_id, const std::string& job,
                    std::optional<int64_t> attempt_number) {
    std::string path = "/api/v1/pipelines/" + std::to_string(pipeline_id) + "/jobs/" + job + "/log";
    if (attempt_number) path += "?attempt=" + std::to_string(*attempt_number);
    const HttpResponse response = cluster.api().get(path);
    if (response.status != 200) FAIL("GET " << path << ": " << response.describe());
    return response.body;
}

Poco::JSON::Object::Ptr wait_until_held(Cluster& cluster, int64_t pipeline_id, int64_t number,
                                        std::chrono::milliseconds timeout) {
    Poco::JSON::Object::Ptr attempt;
    Poco::JSON::Object::Ptr latest;
    cluster.wait_until(
        deadline_after(timeout),
        [&] {
            latest = cluster.pipeline(pipeline_id);
            if (is_final_pipeline_status(optional_string(latest, "status").value_or(""))) {
                FAIL("pipeline " << pipeline_id << " ended before attempt " << number
                                 << " held: " << to_json(latest) << "\n"
                                 << tail_files(cluster.log_files()));
            }
            const auto attempts = job_attempts(latest, "build");
            if (attempts.size() < static_cast<size_t>(number)) return false;
            attempt = attempts[static_cast<size_t>(number - 1)];
            if (optional_string(attempt, "status") != "running") return false;
            return job_log(cluster, pipeline_id, "build", number).find(kHeldFirstLine) !=
                   std::string::npos;
        },
        "attempt " + std::to_string(number) + " of job build in pipeline " +
            std::to_string(pipeline_id) + " to run the held step (last seen: " + to_json(latest) +
            ")");
    return attempt;
}

size_t release_held_steps(const Cluster& cluster, const std::string& runner) {
    const std::filesystem::path root = cluster.dir() / "agents" / runner;
    size_t released = 0;
    std::error_code error;
    for (std::filesystem::recursive_directory_iterator it(root, error), end; !error && it != end;
         it.increment(error)) {
        if (it->path().filename() != "holding" || !it->is_regular_file()) continue;
        std::ofstream(it->path().parent_path() / "release") << "go\n";
        ++released;
    }
    return released;
}

std::vector<std::string> attempt_containers(int64_t attempt_id) {
    const std::vector<std::string> argv{"docker",
                                        "ps",
                                        "-a",
                                        "-q",
                                        "--no-trunc",
                                        "--filter",
                                        "label=fmg.attempt=" + std::to_string(attempt_id)};
    const CommandResult result = docker_command(argv);
    if (!result.ok()) FAIL("cannot list containers:\n" << result.describe(argv));
    std::vector<std::string> ids;
    std::istringstream lines(result.out);
    for (std::string line; std::getline(lines, line);) {
        if (!line.empty()) ids.push_back(line);
    }
    return ids;
}

ContainerSweeper::~ContainerSweeper() {
    // No FAIL here: this runs while unwinding too. What cannot be removed is reported on
    // stderr, where the test run shows it.
    for (const int64_t attempt : attempts_) {
        try {
            const std::vector<std::string> list{
                "docker", "ps",       "-a",
                "-q",     "--filter", "label=fmg.attempt=" + std::to_string(attempt)};
            std::istringstream lines(docker_command(list).out);
            for (std::string id; std::getline(lines, id);) {
                if (id.empty()) continue;
                const std::vector<std::string> remove{"docker", "rm", "-f", "-v", id};
                const CommandResult removed = docker_command(remove);
                if (!removed.ok()) std::cerr << "note: " << removed.describe(remove) << "\n";
            }
        } catch (const std::exception& error) {
            std::cerr << "note: cannot remove the containers of attempt " << attempt << ": "
                      << error.what() << "\n";
        }
    }
}

std::chrono::milliseconds first_step_started_after(const Poco::JSON::Object::Ptr& pipeline,
                                                   const std::string& job,
                                                   std::chrono::system_clock::time_point since) {
    Poco::JSON::Object::Ptr found;
    for (const auto& element : object_array(pipeline, "jobs")) {
        if (optional_string(element, "name") == job) found = element;
    }
    if (!found) FAIL("no job " << job << " in " << to_json(pipeline));
    const auto steps = object_array(found, "steps");
    const auto started = steps.empty() ? std::nullopt : optional_string(steps[0], "started_at");
    if (!started) FAIL("the first step of " << job << " has not started: " << to_json(found));
    // RFC 3339 in UTC with milliseconds, as the API writes it: 2026-11-23T19:16:49.882Z.
    std::tm parts{};
    int millis = 0;
    if (std::sscanf(started->c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &parts.tm_year, &parts.tm_mon,
                    &parts.tm_mday, &parts.tm_hour, &parts.tm_min, &parts.tm_sec, &millis) != 7) {
        FAIL("started_at is not RFC 3339 with milliseconds: " << *started);
    }
    parts.tm_year -= 1900;
    parts.tm_mon -= 1;
    const auto at = std::chrono::system_clock::from_time_t(::timegm(&parts)) +
                    std::chrono::milliseconds(millis);
    return std::chrono::duration_cast<std::chrono::milliseconds>(at - since);
}

void print_measurement(const std::string& what, std::chrono::milliseconds elapsed) {
    std::cout << what << ": " << elapsed.count() << " ms" << std::endl;
}

}  // namespace fmg::testing
