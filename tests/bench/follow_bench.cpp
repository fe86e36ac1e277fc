// follow: how soon a line a step prints is on the screen of `fmg logs --follow`. One
// shell-executor agent runs a step that prints numbered lines at a steady pace, each carrying
// the wall-clock time it was printed at (bash's $EPOCHREALTIME, a builtin: microseconds, no
// fork); the real CLI follows the job, its stdout going to a file. The bench watches that
// file with inotify and, whenever it grows, takes the time and the complete lines that
// arrived: per line, arrival minus printed time. Both clocks are the machine's CLOCK_REALTIME.
//
// The path a line takes: the step's pipe, the agent's read loop, the agent's log batch (sent
// 50 ms after its first byte, agent/link/attempt_log.h kLogBatchDelay, or at 64 KiB), a
// ZeroMQ message, the coordinator's append to the attempt's log file, the LogNotifier waking
// the follow request's thread (coordinator/logs/log_notifier.h), one HTTP chunk, the CLI's
// write and flush. The batch wait is 0-50 ms by design; everything else is the transport,
// which the fastest lines show (the table's min).
//
// Budget: 200 lines, one every 20 ms (plus the fork of `sleep`): ~9 s at full size, ~4 s with
// --quick (50 lines).

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <sstream>

#include "tests/bench/bench_options.h"
#include "tests/bench/printed_time.h"
#include "tests/bench/report.h"
#include "tests/support/cluster.h"
#include "tests/support/json.h"

using namespace fmg::testing;
using namespace std::chrono_literals;

namespace fmg::bench {
namespace {

const std::string kLinePrefix = "fmg-follow ";

// Prints "ready", waits for the bench to create `flag` (so every measured line is printed
// while the follower is attached), then `count` lines "fmg-follow I TIME", one every 20 ms.
std::string follow_config(const std::filesystem::path& flag, int count) {
    return "version: 2.1\n"
           "jobs:\n"
           "  build:\n"
           "    docker:\n"
           "      - image: fmg/busybox:latest\n"
           "    steps:\n"
           "      - run:\n"
           "          name: Print timestamped lines\n"
           "          command: |\n"
           "            echo ready\n"
           "            while [ ! -f " +
           flag.string() +
           " ]; do sleep 0.01; done\n"
           "            for i in $(seq 1 " +
           std::to_string(count) +
           "); do\n"
           "              echo \"" +
           kLinePrefix + "$i " + kShellEpochTime +
           "\"\n"
           "              sleep 0.02\n"
           "            done\n";
}

// Wakes when a file is written to (inotify) and hands out the complete lines added since the
// last call.
class FileTail {
  public:
    explicit FileTail(const std::filesystem::path& path) : path_(path) {
        fd_ = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        REQUIRE(fd_ >= 0);
        REQUIRE(::inotify_add_watch(fd_, path.c_str(), IN_MODIFY) >= 0);
    }
    ~FileTail() { ::close(fd_); }
    FileTail(const FileTail&) = delete;
    FileTail& operator=(const FileTail&) = delete;

    /// Waits up to `timeout` for the file to grow; returns the new complete lines (possibly
    /// none).
    std::vector<std::string> next_lines(std::chrono::milliseconds timeout) {
        pollfd entry{fd_, POLLIN, 0};
        if (::poll(&entry, 1, static_cast<int>(timeout.count())) > 0) {
            char events[4096];
            while (::read(fd_, events, sizeof events) > 0) {
            }
        }
        std::ifstream in(path_, std::ios::binary);
        in.seekg(static_cast<std::streamoff>(offset_));
        std::string added((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::vector<std::string> lines;
        size_t start = 0;
        for (size_t end; (end = added.find('\n', start)) != std::string::npos; start = end + 1) {
            lines.push_back(added.substr(start, end - start));
        }
        offset_ += start;  // an incomplete last line is read again next time
        return lines;
    }

  private:
    std::filesystem::path path_;
    int fd_ = -1;
    size_t offset_ = 0;
};

}  // namespace

TEST_CASE("follow", "[bench]") {
    Cluster cluster;
    AgentOptions agent;
    agent.executor = "shell";  // the step waits on a file the bench creates
    cluster.start_runner("follow-agent", agent);

    const int count = repetitions(200, 50);
    const auto flag = cluster.dir() / "start-printing";
    GitRepo repo = cluster.make_repo();
    repo.write_config(follow_config(flag, count));
    const int64_t id = cluster.push(repo, repo.commit("a step printing timestamped lines"));

    // The CLI finds the job by the pipeline's jobs, which exist once its config was read.
    cluster.wait_for_job_status(id, "build", "running");
    Process& follower = cluster.start_fmg("follow", {"logs", std::to_string(id), "--follow"});
    cluster.wait_until(
        deadline_after(std::chrono::seconds(60)),
        [&] { return follower.stdout_text().find("ready\n") != std::string::npos; },
        "`fmg logs --follow` to print the step's first line");
    FileTail tail(follower.stdout_path());
    std::ofstream(flag) << "go\n";

    std::vector<double> latencies;
    int deliveries = 0;  // how many times the follower's output grew by whole lines
    int expected = 1;
    const auto deadline = deadline_after(std::chrono::seconds(60) + count * 100ms);
    while (expected <= count && Clock::now() < deadline && follower.running()) {
        const auto lines = tail.next_lines(100ms);
        const WallTime arrived = std::chrono::system_clock::now();
        bool delivered = false;
        for (const auto& line : lines) {
            if (!line.starts_with(kLinePrefix)) continue;
            std::istringstream fields(line.substr(kLinePrefix.size()));
            int number = 0;
            std::string printed;
            fields >> number >> printed;
            INFO("line: " << line);
            REQUIRE(number == expected);  // every line once, in order
            ++expected;
            delivered = true;
            latencies.push_back(millis_between(parse_epoch_seconds(printed), arrived));
        }
        if (delivered) ++deliveries;
    }
    INFO(tail_files(cluster.log_files()));
    REQUIRE(static_cast<int>(latencies.size()) == count);
    const auto ended = follower.wait_for(deadline_after(std::chrono::seconds(30)));
    REQUIRE(ended);
    REQUIRE(ended->exited_with(0));  // the follow ends with the job, which succeeded

    const Summary summary = summarize(latencies);
    std::ostringstream baseline;
    baseline << "agent batch delay 50 ms (kLogBatchDelay): a line waits 0-50 ms for its batch, "
             << "the rest is transport (min); " << count << " lines, one every 20 ms, came in "
             << deliveries << " deliveries";
    record("follow", "line printed -> seen by fmg logs --follow", "ms", latencies, "p99 <= 100 ms",
           summary.p99 <= 100, baseline.str());
    cluster.stop_gracefully();
}

}  // namespace fmg::bench
