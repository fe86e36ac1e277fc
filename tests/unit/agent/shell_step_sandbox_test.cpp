// What a shell step can reach of its runner (shell_step_sandbox.h), with real processes:
// the agent's credentials file and work dir are hidden, its memory and environment are out
// of reach, the covers cannot be undone, the job's workspace and home work.

#include "agent/executor/shell_step_sandbox.h"

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <tuple>

#include "agent/executor/child_process.h"
#include "agent/executor/executor_factory.h"
#include "agent/executor/shell_scratch.h"
#include "executor_test_support.h"

using namespace fmg::agent;
using namespace fmg::agent::testing;

namespace {

using Kind = SandboxOperation::Kind;

// A shell job whose executor hides `secret` (as it hides the credentials file); the agent's
// home is `home` when given.
struct SandboxedJob {
    TempWorkspace root;
    std::filesystem::path work_dir = root.path() / "work";
    std::filesystem::path workspace = work_dir / "workspaces" / "attempt-9";
    std::filesystem::path secret = root.path() / "agent.cred";
    std::unique_ptr<Executor> executor;
    std::unique_ptr<JobExecution> execution;

    SandboxedJob() {
        std::filesystem::create_directories(workspace);
        std::filesystem::create_directories(work_dir / "mirrors" / "other-repo");
        std::ofstream(work_dir / "mirrors" / "other-repo" / "HEAD") << "private code\n";
        std::ofstream(secret) << "secret_key: 00ff\n";
        std::filesystem::permissions(
            secret, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
        ExecutorOptions options{"", work_dir};
        options.credentials_file = secret;
        executor = make_executor("shell", options);
        REQUIRE(executor->check());
        JobSetup spec;
        spec.attempt_id = 9;
        spec.workspace = workspace;
        CollectedOutput ignored;
        auto started = executor->start(spec, ignored.sink());
        REQUIRE(started);
        execution = std::move(*started);
    }

    // Runs `command`; returns its exit code, with its output in `output`.
    int run(const std::string& command, CollectedOutput& output) {
        RunStep step;
        step.command = command;
        StepExit exit = execution->run(step, output.sink());
        REQUIRE(exit.kind == StepExit::Kind::exited);
        return exit.exit_code;
    }
};

}  // namespace

TEST_CASE("sandbox plan: namespaces, ids, covers, then the work dir, then no privileges",
          "[shell-executor]") {
    StepSandboxPaths paths{"/w",
                           "/w/shell-scratch/attempt-1",
                           "/w/workspaces/attempt-1",
                           "/w/shell-scratch/blank",
                           {"/etc/fmg/agent.cred"},
                           {"/run/creds"}};
    auto sandbox = StepSandbox::plan(paths, 998, 997);
    REQUIRE(sandbox);
    std::vector<Kind> kinds;
    for (const auto& op : sandbox->operations()) kinds.push_back(op.kind);
    CHECK(kinds == std::vector<Kind>{Kind::new_namespaces, Kind::write_file, Kind::write_file,
                                     Kind::write_file, Kind::mounts_private, Kind::cover_file,
                                     Kind::cover_directory, Kind::bind, Kind::bind,
                                     Kind::drop_privileges});
    const auto& ops = sandbox->operations();
    CHECK(ops[2].data == "998 998 1\n");
    CHECK(ops[3].data == "997 997 1\n");
    CHECK(ops[5].target == "/etc/fmg/agent.cred");
    CHECK(ops[7].source == "/w/workspaces/attempt-1");
    CHECK(ops[7].target == "/w/shell-scratch/attempt-1/workspaces/attempt-1");
    CHECK(ops[8].source == "/w/shell-scratch/attempt-1");
    CHECK(ops[8].target == "/w");

    paths.blank_file = "relative";
    CHECK_FALSE(StepSandbox::plan(paths, 1, 1));
}

TEST_CASE("sandbox plan without a scratch directory: the work dir is an empty read-only tmpfs",
          "[shell-executor]") {
    StepSandboxPaths paths{
        "/w", "", "/w/workspaces/attempt-1", "/w/shell-scratch/blank", {"/etc/fmg/agent.cred"}, {}};
    auto sandbox = StepSandbox::plan(paths, 998, 997);
    REQUIRE(sandbox);
    std::vector<Kind> kinds;
    for (const auto& op : sandbox->operations()) kinds.push_back(op.kind);
    // The workspace is opened before the tmpfs hides its path, then shown on a mount point
    // made in the tmpfs, which is then sealed: nothing is created on the agent's disk.
    CHECK(kinds == std::vector<Kind>{Kind::new_namespaces, Kind::write_file, Kind::write_file,
                                     Kind::write_file, Kind::mounts_private, Kind::cover_file,
                                     Kind::hold, Kind::skeleton, Kind::make_directory,
                                     Kind::make_directory, Kind::bind_held, Kind::seal,
                                     Kind::drop_privileges});
    const auto& ops = sandbox->operations();
    CHECK(ops[6].target == "/w/workspaces/attempt-1");
    CHECK(ops[7].target == "/w");
    CHECK(ops[8].target == "/w/workspaces");
    CHECK(ops[9].target == "/w/workspaces/attempt-1");
    CHECK(ops[10].target == "/w/workspaces/attempt-1");
    CHECK(ops[11].target == "/w");
}

TEST_CASE("sandbox plan: the job's step tools are shown at their path, like the workspace",
          "[shell-executor]") {
    StepSandboxPaths paths{"/w", "", "/w/workspaces/attempt-1", "/w/shell-scratch/blank",
                           {},   {}, "/w/step-tools/attempt-1"};
    auto skeleton = StepSandbox::plan(paths, 998, 997);
    REQUIRE(skeleton);
    std::vector<std::tuple<Kind, std::string, int>> shown;
    for (const auto& op : skeleton->operations()) {
        if (op.kind == Kind::hold || op.kind == Kind::bind_held) {
            shown.emplace_back(op.kind, op.target, op.slot);
        }
    }
    // Both opened before the tmpfs covers the work dir, each bound from its own descriptor.
    CHECK(shown == std::vector<std::tuple<Kind, std::string, int>>{
                       {Kind::hold, "/w/workspaces/attempt-1", 0},
                       {Kind::hold, "/w/step-tools/attempt-1", 1},
                       {Kind::bind_held, "/w/workspaces/attempt-1", 0},
                       {Kind::bind_held, "/w/step-tools/attempt-1", 1}});

    paths.scratch = "/w/shell-scratch/attempt-1";
    auto scratch = StepSandbox::plan(paths, 998, 997);
    REQUIRE(scratch);
    std::vector<std::pair<std::string, std::string>> binds;
    for (const auto& op : scratch->operations()) {
        if (op.kind == Kind::bind) binds.emplace_back(op.source, op.target);
    }
    CHECK(binds ==
          std::vector<std::pair<std::string, std::string>>{
              {"/w/workspaces/attempt-1", "/w/shell-scratch/attempt-1/workspaces/attempt-1"},
              {"/w/step-tools/attempt-1", "/w/shell-scratch/attempt-1/step-tools/attempt-1"},
              {"/w/shell-scratch/attempt-1", "/w"}});
}

TEST_CASE("sandbox: a step cannot read the hidden credentials file, nor undo the cover",
          "[shell-executor]") {
    SandboxedJob job;
    CollectedOutput output;
    CHECK(job.run("cat " + job.secret.string(), output) != 0);
    CHECK_THAT(output.text(), Catch::Contains("Permission denied"));
    CHECK_THAT(output.text(), !Catch::Contains("00ff"));

    CollectedOutput undo;
    const std::string secret = job.secret.string();
    // In a nested user and mount namespace, where the step's process has every capability
    // until it execs, it tries to unmount the cover, and to look under it and under the work
    // dir's cover through a non-recursive bind of their parent directory. perl makes the
    // system calls in one process (mount(8) would exec and lose the capabilities; perl-base
    // is essential on Debian). 4096 is MS_BIND, not recursive.
    std::ofstream(job.workspace / "peek.pl")
        << "syscall(" << SYS_unshare << ", " << (CLONE_NEWUSER | CLONE_NEWNS)
        << ") == 0 or die \"unshare: $!\";\nprint \"nested namespace\\n\";\n"
        << "my ($cover, $from, $to) = ('" << secret << "', '" << job.root.path().string()
        << "', 'peek');\nmkdir $to;\n"
        << "my $gone = syscall(" << SYS_umount2 << ", $cover, 0);\n"
        << "print 'unmount the cover: ', ($gone == 0 ? 'done' : \"refused: $!\"), \"\\n\";\n"
        << "my $made = syscall(" << SYS_mount << ", $from, $to, 0, 4096, 0);\n"
        << "print 'bind under the covers: ', ($made == 0 ? 'made' : \"refused: $!\"), \"\\n\";\n"
        << "for my $file ($cover, 'peek/agent.cred', 'peek/work/mirrors/other-repo/HEAD') {\n"
        << "  if (open(my $in, '<', $file)) { print <$in>; } else { print \"$file: $!\\n\"; }\n"
        << "}\n";
    // Each attempt may fail (the step's shell has -e): `|| true` lets the next one run.
    job.run("umount " + secret + " 2>&1 || true; chmod 600 " + secret + " 2>&1 || true; cat " +
                secret + " 2>&1 || true; perl peek.pl 2>&1 || true",
            undo);
    INFO(undo.text());
    CHECK_THAT(undo.text(), !Catch::Contains("00ff"));
    CHECK_THAT(undo.text(), !Catch::Contains("private code"));
    // The nested user namespace was made (so the cover held there too, not for lack of one).
    CHECK_THAT(undo.text(), Catch::Contains("nested namespace"));
    CHECK_THAT(undo.text(), Catch::Contains("unmount the cover: refused"));
    CHECK_THAT(undo.text(), Catch::Contains("bind under the covers: refused"));
    // The agent itself still reads it.
    std::ifstream file(job.secret);
    std::string line;
    std::getline(file, line);
    CHECK(line == "secret_key: 00ff");
}

TEST_CASE(
    "sandbox: the work dir shows only the job's workspace and scratch, and mirrors are hidden",
    "[shell-executor]") {
    SandboxedJob job;
    std::ofstream(job.workspace / "checked-out.txt") << "mine\n";
    CollectedOutput output;
    CHECK(job.run("cat checked-out.txt; ls -A " + job.work_dir.string() + "; ls -A " +
                      (job.work_dir / "workspaces").string() + "; cat " +
                      (job.work_dir / "mirrors" / "other-repo" / "HEAD").string() +
                      " 2>/dev/null || echo hidden; echo written > from-step.txt",
                  output) == 0);
    CHECK(output.text() == "mine\nworkspaces\nattempt-9\nhidden\n");
    // What the step wrote in the workspace is on the host.
    CHECK(std::filesystem::exists(job.workspace / "from-step.txt"));
    // Outside the workspace the work dir is read-only, and the job left nothing on disk
    // besides its workspace (no scratch directory: the agent's home is not in the work dir).
    CollectedOutput outside;
    CHECK(job.run("touch " + (job.work_dir / "planted").string(), outside) != 0);
    CHECK_THAT(outside.text(), Catch::Contains("Read-only file system"));
    CHECK_FALSE(std::filesystem::exists(job.work_dir / "planted"));
    CHECK_FALSE(std::filesystem::exists(scratch_directory(job.work_dir, 9)));
}

TEST_CASE("sandbox: a step cannot read the agent's environment or memory through /proc",
          "[shell-executor]") {
    SandboxedJob job;
    const std::string agent = "/proc/" + std::to_string(::getpid());
    CollectedOutput output;
    CHECK(job.run("cat " + agent +
                      "/environ >/dev/null 2>&1 && echo environ-read; "
                      "head -c 1 " +
                      agent +
                      "/mem >/dev/null 2>&1 && echo mem-read; "
                      "ls " +
                      agent + "/root/ >/dev/null 2>&1 && echo root-read; echo done",
                  output) == 0);
    CHECK(output.text() == "done\n");
}

TEST_CASE(
    "sandbox: a home in the work dir is the job's own, kept between its steps, removed "
    "with it",
    "[shell-executor]") {
    TempWorkspace root;
    const auto work_dir = root.path() / "work";
    const auto workspace = work_dir / "workspaces" / "attempt-4";
    std::filesystem::create_directories(workspace);
    std::ofstream(work_dir / "agent-private.txt") << "agent's\n";
    const char* saved = std::getenv("HOME");
    const std::string saved_home = saved ? saved : "";
    ::setenv("HOME", work_dir.c_str(), 1);
    auto executor = make_executor("shell", {"", work_dir});
    if (saved) ::setenv("HOME", saved_home.c_str(), 1);
    JobSetup spec;
    spec.attempt_id = 4;
    spec.workspace = workspace;
    CollectedOutput ignored;
    auto execution = executor->start(spec, ignored.sink());
    REQUIRE(execution);
    RunStep first;
    first.command = "mkdir -p ~/.cache && echo kept > ~/.cache/x && chmod 000 ~/.cache";
    CollectedOutput output;
    CHECK((*execution)->run(first, output.sink()).exit_code == 0);
    RunStep second;
    second.command =
        "chmod 700 ~/.cache; cat ~/.cache/x; ls ~; test -e ~/agent-private.txt && echo "
        "visible || echo hidden; chmod 000 ~/.cache";
    CHECK((*execution)->run(second, output.sink()).exit_code == 0);
    CHECK(output.text() == "kept\nworkspaces\nhidden\n");
    // A step directory under the home but outside the job's is made in the job's home.
    RunStep elsewhere;
    elsewhere.command = "pwd";
    elsewhere.working_directory = "~/tools";
    CollectedOutput where;
    CHECK((*execution)->run(elsewhere, where.sink()).exit_code == 0);
    CHECK(where.text() == (work_dir / "tools").string() + "\n");
    CHECK_FALSE(std::filesystem::exists(work_dir / "tools"));
    CHECK(std::filesystem::exists(scratch_directory(work_dir, 4)));
    (*execution)->close();
    CHECK_FALSE(std::filesystem::exists(scratch_directory(work_dir, 4)));
    CHECK(std::filesystem::exists(work_dir / "agent-private.txt"));
}

TEST_CASE("sandbox: a process whose sandbox cannot be made is not started, and says why",
          "[shell-executor]") {
    TempWorkspace root;
    const auto work_dir = root.path() / "work";
    const auto workspace = work_dir / "workspaces" / "attempt-5";
    const auto scratch = root.path() / "scratch";  // lacks the workspace's mount point
    std::filesystem::create_directories(workspace);
    std::filesystem::create_directories(scratch);
    auto blank = ensure_blank_file(work_dir);
    REQUIRE(blank);
    auto sandbox =
        StepSandbox::plan({work_dir, scratch, workspace, *blank, {}, {}}, ::getuid(), ::getgid());
    REQUIRE(sandbox);
    const auto marker = root.path() / "ran";
    SpawnRequest spawn;
    spawn.argv = {"/bin/sh", "-c", "touch " + marker.string()};
    spawn.working_directory = workspace;
    spawn.sandbox = &*sandbox;
    auto child = ChildProcess::spawn(spawn);
    REQUIRE_FALSE(child);
    CHECK_THAT(child.error().message, Catch::Contains("cannot show " + workspace.string()));
    CHECK_THAT(child.error().message, Catch::Contains("No such file or directory"));
    CHECK_FALSE(std::filesystem::exists(marker));
}
