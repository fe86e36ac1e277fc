// ChildProcess: what a process started for the agent reads on stdin and where its stderr goes.

#include "agent/executor/child_process.h"

#include <poll.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

using namespace fmg::agent;

namespace {

// Everything the process writes to its output pipe until it closes it.
std::string read_all(ChildProcess& child) {
    std::string text;
    char buffer[4096];
    for (;;) {
        pollfd waiting{child.output_fd(), POLLIN, 0};
        REQUIRE(::poll(&waiting, 1, 10'000) == 1);
        ssize_t got = ::read(child.output_fd(), buffer, sizeof buffer);
        if (got == 0) return text;
        if (got > 0) text.append(buffer, static_cast<size_t>(got));
    }
}

SpawnRequest shell(const std::string& script) {
    SpawnRequest request;
    request.argv = {"/bin/sh", "-c", script};
    request.env = {"PATH=/usr/bin:/bin"};
    request.working_directory = "/";
    return request;
}

}  // namespace

TEST_CASE("child process: the given input is its stdin, then end of file") {
    SpawnRequest request = shell("cat; echo end");
    request.input = "https://x-access-token:secret@example.com/repo.git\n";
    auto child = ChildProcess::spawn(request);
    REQUIRE(child);
    CHECK(read_all(*child) == request.input + "end\n");
    CHECK(child->reap().value() == 0);
}

TEST_CASE("child process: without input, stdin is empty") {
    auto child = ChildProcess::spawn(shell("cat; echo end"));
    REQUIRE(child);
    CHECK(read_all(*child) == "end\n");
    CHECK(child->reap().value() == 0);
}

TEST_CASE("child process: input past a pipe's capacity is refused before anything starts") {
    SpawnRequest request = shell("cat");
    request.input = std::string(kMaxSpawnInput + 1, 'x');
    auto child = ChildProcess::spawn(request);
    REQUIRE_FALSE(child);
    CHECK(child.error().message == "input too large for a pipe");
}

TEST_CASE("child process: stderr goes to the pipe, or stays the agent's when asked") {
    SpawnRequest merged = shell("echo out; echo err >&2");
    auto both = ChildProcess::spawn(merged);
    REQUIRE(both);
    CHECK(read_all(*both) == "out\nerr\n");
    CHECK(both->reap().value() == 0);

    SpawnRequest separate = shell("echo out; echo err >&2");
    separate.stderr_to_agent = true;
    auto only_stdout = ChildProcess::spawn(separate);
    REQUIRE(only_stdout);
    CHECK(read_all(*only_stdout) == "out\n");
    CHECK(only_stdout->reap().value() == 0);
}
