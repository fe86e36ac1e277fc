// A job log over --log-cap keeps its head and its tail with one marker line between them, so
// the step's final error survives; `fmg logs --follow` shows the head live and the rest when
// the job ends.

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "tests/support/cluster.h"
#include "tests/support/docker.h"
#include "tests/support/held_job.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

constexpr int64_t kCap = 65536;
constexpr int kLines = 20000;  // about 550 KB: eight times the cap
const std::string kFinalError = "the final error: make: *** [all] Error 1";

/// Prints kLines numbered lines, then (after `wait`, a shell line, if any) the final error
/// on stderr, and fails. After line `hold_after` (if any) it creates `holding` and waits for
/// the test to create `release` next to it.
std::string config(const std::string& wait, int hold_after = 0) {
    const std::string hold =
        hold_after == 0 ? ""
                        : "if [ $i -eq " + std::to_string(hold_after) +
                              " ]; then touch holding; while [ ! -f release ]; do sleep 0.05; "
                              "done; fi; ";
    return R"(version: 2.1
jobs:
  build:
    docker:
      - image: fmg/busybox:latest
    steps:
      - run:
          name: Print far past the cap
          command: |
            i=1
            while [ $i -le )" +
           std::to_string(kLines) + R"( ]; do echo "line $i of the build output"; )" + hold +
           R"(i=$((i+1)); done
            )" +
           wait + R"(
            echo ")" +
           kFinalError +
           R"(" >&2
            exit 1
)";
}

std::string numbered_line(int i) {
    return "line " + std::to_string(i) + " of the build output\n";
}

/// The numbered lines in `text`, in order.
std::vector<int> numbers_in(const std::string& text) {
    static const std::regex line("line ([0-9]+) of the build output\n");
    std::vector<int> numbers;
    for (std::sregex_iterator it(text.begin(), text.end(), line), end; it != end; ++it) {
        numbers.push_back(std::stoi((*it)[1].str()));
    }
    return numbers;
}

/// Whether `numbers` runs from `first` to `last` by one, with no gap and no repeat.
bool consecutive(const std::vector<int>& numbers, int first, int last) {
    if (numbers.empty() || numbers.front() != first || numbers.back() != last) return false;
    for (size_t i = 1; i < numbers.size(); ++i) {
        if (numbers[i] != numbers[i - 1] + 1) return false;
    }
    return true;
}

/// Checks the stored log of the job: its first lines, one marker naming exactly the numbered
/// lines left out, its last lines ending with the final error, and a size near the cap.
void check_capped_log(const std::string& log) {
    INFO("log of " << log.size() << " bytes, starting:\n"
                   << log.substr(0, 300) << "\n...ending:\n"
                   << log.substr(log.size() - std::min<size_t>(log.size(), 300)));
    static const std::regex marker(
        "--- fmg: ([0-9]+) bytes of output omitted \\(log cap 64 KiB, --log-cap\\) ---\n");
    std::smatch match;
    REQUIRE(std::regex_search(log, match, marker));
    const std::string head = match.prefix().str();
    const std::string tail = match.suffix().str();
    CHECK_FALSE(std::regex_search(tail, marker));  // exactly one marker

    const auto head_numbers = numbers_in(head);
    const auto tail_numbers = numbers_in(tail);
    REQUIRE_FALSE(head_numbers.empty());
    REQUIRE_FALSE(tail_numbers.empty());
    const int last_in_head = head_numbers.back();
    const int first_in_tail = tail_numbers.front();
    CHECK(consecutive(head_numbers, 1, last_in_head));
    CHECK(consecutive(tail_numbers, first_in_tail, kLines));
    CHECK_THAT(head, Catch::Contains(numbered_line(1)));
    CHECK_THAT(head, Catch::EndsWith(numbered_line(last_in_head)));  // cut at a line end
    CHECK_THAT(tail, Catch::StartsWith(numbered_line(first_in_tail)));
    CHECK_THAT(tail, Catch::EndsWith(numbered_line(kLines) + kFinalError + "\n"));

    // The marker counts exactly the lines that are not shown.
    int64_t omitted = 0;
    for (int i = last_in_head + 1; i < first_in_tail; ++i) {
        omitted += static_cast<int64_t>(numbered_line(i).size());
    }
    CHECK(std::stoll(match[1].str()) == omitted);
    CHECK(static_cast<int64_t>(log.size()) <= kCap + 100);
    CHECK(static_cast<int64_t>(log.size()) >= kCap - 4096);
}

int64_t logs_dir_bytes(const Cluster& cluster) {
    int64_t total = 0;
    for (const auto& entry : std::filesystem::directory_iterator(cluster.data_dir() / "logs")) {
        total += static_cast<int64_t>(entry.file_size());
    }
    return total;
}

}  // namespace

TEST_CASE("e2e: a log over --log-cap keeps its head, one marker and its tail with the error") {
    require_docker();
    ClusterOptions options;
    options.coordinator_args = {"--log-cap", std::to_string(kCap)};
    Cluster cluster(options);
    cluster.start_runner("runner-1");

    GitRepo repo = cluster.make_repo();
    repo.write_config(config(""));
    const std::string sha = repo.commit("A step that prints far past the log cap and fails");

    const int64_t id = cluster.push(repo, sha);
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    CHECK(string_field(pipeline, "status") == "failed");
    const auto job = find_named(pipeline, "jobs", "build");
    CHECK(string_field(job, "status") == "failed");

    const CommandResult log = cluster.fmg({"logs", std::to_string(id), "build"});
    INFO(log.describe({"fmg", "logs", std::to_string(id), "build"}));
    REQUIRE(log.ok());
    check_capped_log(log.out);

    // The API reads the same bytes from any offset (a reader resuming after the head).
    const size_t resume = log.out.find("--- fmg: ") - 100;
    const HttpResponse rest = cluster.api().get("/api/v1/pipelines/" + std::to_string(id) +
                                                "/jobs/build/log?offset=" + std::to_string(resume));
    CHECK(rest.status == 200);
    CHECK(rest.body == log.out.substr(resume));
    // On disk the coordinator keeps about the cap, not the whole output.
    CHECK(logs_dir_bytes(cluster) <= kCap);
}

TEST_CASE("e2e: fmg logs --follow shows a capped log's head live and its tail when it ends") {
    ClusterOptions options;
    options.coordinator_args = {"--log-cap", std::to_string(kCap)};
    Cluster cluster(options);
    // the step waits on a file the test creates
    const AgentOptions agent = shell_agent_options();
    cluster.start_runner("runner-1", agent);

    const auto flag = cluster.dir() / "may-fail";
    GitRepo repo = cluster.make_repo();
    repo.write_config(config("while [ ! -f " + flag.string() + " ]; do sleep 0.1; done"));
    const std::string sha = repo.commit("A step that prints past the cap, waits, then fails");

    const int64_t id = cluster.push(repo, sha);
    cluster.wait_for_job_status(id, "build", "running");
    Process& follow = cluster.start_fmg("follow", {"logs", std::to_string(id), "--follow"});
    cluster.wait_until(
        deadline_after(std::chrono::seconds(60)),
        [&] {
            return follow.stdout_text().find("--- fmg: the log reached its cap") !=
                   std::string::npos;
        },
        "the follower to be told the rest of the log is held back");
    CHECK(follow.running());
    CHECK_THAT(follow.stdout_text(), Catch::Contains(numbered_line(1)));
    CHECK_THAT(follow.stdout_text(), !Catch::Contains(numbered_line(kLines)));

    std::ofstream(flag) << "go\n";
    const auto ended = follow.wait_for(deadline_after(std::chrono::seconds(60)));
    INFO(tail_files(cluster.log_files()));
    REQUIRE(ended);
    CHECK(ended->exited_with(1));  // the job failed
    CHECK(string_field(cluster.wait_for_final(id), "status") == "failed");

    // The follower read the stored log, with the held-back notice where the head ended.
    const CommandResult log = cluster.fmg({"logs", std::to_string(id), "build"});
    REQUIRE(log.ok());
    check_capped_log(log.out);
    std::string followed = follow.stdout_text();
    static const std::regex notice("--- fmg: the log reached its cap [^\n]*\n");
    CHECK(std::regex_replace(followed, notice, "") == log.out);
}

TEST_CASE("e2e: a coordinator killed while a log is over its cap loses and repeats nothing of it") {
    Cluster cluster(fast_liveness_options({"--log-cap", std::to_string(kCap)}));
    // The shell executor: the test releases the step through the workspace
    const AgentOptions agent = shell_agent_options();
    Process& agent_process = cluster.start_runner("runner-1", agent);

    GitRepo repo = cluster.make_repo();
    // Holds after a third of its lines: past the cap, so a tail file is being kept.
    repo.write_config(config("", kLines / 3));
    const std::string sha = repo.commit("A step that prints past the cap, holds, goes on, fails");
    const int64_t id = cluster.push(repo, sha);

    const auto workspace = cluster.dir() / "agents" / "runner-1";
    cluster.wait_until(
        deadline_after(kPipelineTimeout),
        [&] {
            std::error_code ec;
            for (std::filesystem::recursive_directory_iterator it(workspace, ec), end;
                 !ec && it != end; it.increment(ec)) {
                if (it->path().filename() == "holding") return true;
            }
            return false;
        },
        "the step to print a third of its lines and hold");
    const auto attempts = job_attempts(cluster.pipeline(id), "build");
    REQUIRE(attempts.size() == 1);
    const int64_t attempt_id = int_field(attempts[0], "id");

    cluster.kill_coordinator();
    // The rest of the output and the result wait in the agent while the coordinator is down.
    REQUIRE(release_held_steps(cluster, "runner-1") == 1);
    const std::string finished_line = "attempt=" + std::to_string(attempt_id) + " finished";
    cluster.wait_until(
        deadline_after(std::chrono::seconds(60)),
        [&] { return agent_process.stderr_text().find(finished_line) != std::string::npos; },
        "runner-1 to finish the job while the coordinator is down");

    cluster.restart_coordinator();
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    CHECK(string_field(pipeline, "status") == "failed");
    const auto final_attempts = job_attempts(pipeline, "build");
    REQUIRE(final_attempts.size() == 1);  // kept, not retried
    CHECK(string_field(final_attempts[0], "status") == "failed");

    const CommandResult log = cluster.fmg({"logs", std::to_string(id), "build"});
    REQUIRE(log.ok());
    check_capped_log(log.out);
}
