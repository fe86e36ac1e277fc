// Where steps run, what they see, and how fmg's notices read: the executors' pure parts.
#include <catch2/catch.hpp>
#include <string>

#include "agent/executor/step_command.h"
#include "agent/executor/step_output.h"
#include "agent/executor/working_directory.h"

using namespace fmg::agent;
using std::chrono::milliseconds;

TEST_CASE("job directories: ~ is the home, relative is under it", "[executor]") {
    CHECK(resolve_job_directory("", "/root") == "/root/project");
    CHECK(resolve_job_directory("~/project", "/home/circleci") == "/home/circleci/project");
    CHECK(resolve_job_directory("~", "/root") == "/root");
    CHECK(resolve_job_directory("/app/", "/root") == "/app");
    CHECK(resolve_job_directory("src/app", "/root") == "/root/src/app");
    CHECK(resolve_job_directory("~user/x", "/root") == "/root/~user/x");
}

TEST_CASE("step directories: relative under the job's, ~ and absolute as given", "[executor]") {
    const std::string job = "/root/project";
    CHECK(resolve_step_directory(job, "", "/root") == job);
    CHECK(resolve_step_directory(job, "web/", "/root") == "/root/project/web");
    CHECK(resolve_step_directory(job, "./a/../b", "/root") == "/root/project/b");
    CHECK(resolve_step_directory(job, "~/cache", "/root") == "/root/cache");
    CHECK(resolve_step_directory(job, "/tmp", "/root") == "/tmp");
    CHECK(resolve_step_directory(job, "..", "/root") == "/root");
}

TEST_CASE("shell executor maps the job directory onto the workspace", "[executor]") {
    const std::string job = "/home/me/project";
    const std::filesystem::path workspace = "/var/lib/fmg/work/42";
    CHECK(map_to_workspace(job, job, workspace) == workspace);
    CHECK(map_to_workspace(job + "/web/app", job, workspace) == workspace / "web/app");
    CHECK(map_to_workspace("/home/me/projectx", job, workspace) == "/home/me/projectx");
    CHECK(map_to_workspace("/tmp", job, workspace) == "/tmp");
}

TEST_CASE("image users and their homes", "[executor]") {
    CHECK(is_root_user(""));
    CHECK(is_root_user("root"));
    CHECK(is_root_user("0:0"));
    CHECK_FALSE(is_root_user("circleci"));
    CHECK(home_for_user("") == "/root");
    CHECK(home_for_user("circleci") == "/home/circleci");
    CHECK(home_for_user("circleci:circleci") == "/home/circleci");
}

TEST_CASE("a configured shell gets its words and a file to read the command from", "[executor]") {
    CHECK(shell_words("  /bin/sh\t-eu  ") == std::vector<std::string>{"/bin/sh", "-eu"});
    const auto argv = shell_argv("/bin/bash", "/bin/sh -eu", "echo hi");
    REQUIRE(argv.size() == 7);
    CHECK(argv[0] == "/bin/sh");
    CHECK(argv[1] == "-c");
    CHECK(argv[2].find("/dev/fd/3") != std::string::npos);
    CHECK(argv[4] == "echo hi");
    CHECK(std::vector<std::string>(argv.begin() + 5, argv.end()) ==
          std::vector<std::string>{"/bin/sh", "-eu"});
}

TEST_CASE("steps run in a -eo pipefail shell with CI variables", "[executor]") {
    CHECK(shell_argv("/bin/bash", "", "make test") ==
          std::vector<std::string>{"/bin/bash", "-eo", "pipefail", "-c", "make test"});
    CHECK(shell_argv("/bin/sh", " \t", "make test") ==
          std::vector<std::string>{"/bin/sh", "-eo", "pipefail", "-c", "make test"});
    Environment merged =
        step_environment({{"CI", "job-says"}, {"A", "job"}, {"B", "job"}}, {{"B", "step"}});
    CHECK(merged.at("CI") == "job-says");  // the job may override the builtins
    CHECK(merged.at("FMG") == "true");
    CHECK(merged.at("A") == "job");
    CHECK(merged.at("B") == "step");
    CHECK(merged.count("CIRCLECI") == 0);
    CHECK(environment_list({{"A", "1"}, {"B", "x=y"}}) == std::vector<std::string>{"A=1", "B=x=y"});
}

TEST_CASE("durations read like Go's", "[executor]") {
    CHECK(format_duration(milliseconds(600'000)) == "10m0s");
    CHECK(format_duration(milliseconds(3'600'000)) == "1h0m0s");
    CHECK(format_duration(milliseconds(90'500)) == "1m30.5s");
    CHECK(format_duration(milliseconds(1'250)) == "1.25s");
    CHECK(format_duration(milliseconds(300)) == "300ms");
    CHECK(format_duration(milliseconds(0)) == "0s");
    CHECK(no_output_timeout_notice(std::chrono::minutes(10)) ==
          "step produced no output for 10m0s; stopped");
}

TEST_CASE("notices start on their own line", "[executor]") {
    std::string log;
    OutputSink sink = [&log](std::string_view bytes) { log.append(bytes); };
    StepOutput output(sink);
    output.notice("first");
    output.write("partial line");
    output.notice("second");
    output.write("done\n");
    output.notice("third");
    CHECK(log == "fmg: first\npartial line\nfmg: second\ndone\nfmg: third\n");
}
