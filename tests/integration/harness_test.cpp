// Self-tests of the integration harness (tests/support): if these fail, no end-to-end result
// can be trusted. They need no fmg binary, only git, sh and the loopback interface.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "tests/support/credentials.h"
#include "tests/support/fake_github.h"
#include "tests/support/git_repo.h"
#include "tests/support/http_client.h"
#include "tests/support/json.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"
#include "tests/support/webhook.h"

using namespace fmg::testing;
using namespace std::chrono_literals;

namespace {

const std::string kSha = "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3";
const std::string kToken = "ghs_harnessToken";

std::string status_body(const std::string& state, const std::string& description) {
    Poco::JSON::Object body;
    body.set("state", state);
    body.set("target_url", "http://127.0.0.1:5000/pipelines/1");
    body.set("description", description);
    body.set("context", "fmg/build");
    std::ostringstream out;
    body.stringify(out);
    return out.str();
}

// Whether a process still runs; a zombie (dead, not yet reaped by its new parent) does not.
bool process_running(pid_t pid) {
    if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
    const std::string stat = read_file_text("/proc/" + std::to_string(pid) + "/stat");
    const auto state = stat.rfind(") ");
    return state != std::string::npos && stat.size() > state + 2 && stat[state + 2] != 'Z';
}

}  // namespace

TEST_CASE("harness: webhook signatures match GitHub's documented example") {
    // From GitHub's "Validating webhook deliveries" documentation.
    CHECK(sign_webhook("It's a Secret to Everybody", "Hello, World!") ==
          "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
    // RFC 4231 test case 2.
    CHECK(sign_webhook("Jefe", "what do ya want for nothing?") ==
          "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("harness: delivery ids are fresh version 4 UUIDs") {
    const std::regex uuid("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
    std::set<std::string> seen;
    for (int i = 0; i < 50; ++i) {
        const std::string id = new_delivery_id();
        CHECK(std::regex_match(id, uuid));
        seen.insert(id);
    }
    CHECK(seen.size() == 50);
}

TEST_CASE("harness: push payloads carry the fields GitHub sends") {
    PushEvent event;
    event.clone_url = "file:///tmp/demo";
    event.after = kSha;
    const auto payload = parse_object(push_payload(event));
    CHECK(string_field(payload, "ref") == "refs/heads/main");
    CHECK(string_field(payload, "before") == std::string(40, '0'));
    CHECK(string_field(payload, "after") == kSha);
    CHECK(payload->getValue<bool>("created"));
    CHECK_FALSE(payload->getValue<bool>("deleted"));
    const auto repository = payload->getObject("repository");
    REQUIRE(repository);
    CHECK(string_field(repository, "full_name") == "octo/demo");
    CHECK(string_field(repository, "name") == "demo");
    CHECK(string_field(repository, "clone_url") == "file:///tmp/demo");
    CHECK(string_field(repository, "ssh_url") == "git@github.com:octo/demo.git");
    CHECK(string_field(repository->getObject("owner"), "login") == "octo");
    CHECK(string_field(payload->getObject("head_commit"), "id") == kSha);
    CHECK(string_field(payload->getObject("pusher"), "name") == "octocat");
    CHECK(object_array(payload, "commits").size() == 1);

    event.deleted = true;
    const auto deletion = parse_object(push_payload(event));
    CHECK(deletion->getValue<bool>("deleted"));
    CHECK(string_field(deletion, "after") == std::string(40, '0'));
    CHECK(deletion->isNull("head_commit"));
    CHECK(object_array(deletion, "commits").empty());

    const auto ping = parse_object(ping_payload("octo", "demo"));
    CHECK(int_field(ping, "hook_id") > 0);
    CHECK(string_field(ping->getObject("repository"), "full_name") == "octo/demo");
}

TEST_CASE("harness: a process's output goes to its files and its exit code is reported") {
    TempDir dir;
    ProcessOptions options;
    options.argv = {"sh", "-c", "echo to-stdout; echo to-stderr >&2; pwd; exit 3"};
    options.cwd = dir.path();
    Process process("child", options, dir / "logs");
    const auto status = process.wait_for(deadline_after(10s));
    REQUIRE(status);
    CHECK(status->exited_with(3));
    CHECK(process.stdout_text() == "to-stdout\n" + dir.path().string() + "\n");
    CHECK(process.stderr_text() == "to-stderr\n");
    CHECK(process.stdout_path() == dir / "logs" / "child.stdout");
}

TEST_CASE("harness: children get no FMG_ configuration from the test's environment") {
    ::setenv("FMG_TOKEN", "leaked-token", 1);
    ::setenv("WEBHOOK_SECRET", "leaked-secret", 1);
    ProcessOptions options;
    options.argv = {"sh", "-c", "echo \"${FMG_TOKEN-unset} ${WEBHOOK_SECRET-unset} $EXTRA\""};
    options.env = {{"EXTRA", "given"}};
    const CommandResult result = run_command(options, 10s);
    ::unsetenv("FMG_TOKEN");
    ::unsetenv("WEBHOOK_SECRET");
    REQUIRE(result.ok());
    CHECK(result.out == "unset unset given\n");
}

TEST_CASE("harness: a destroyed process leaves nothing of its group running") {
    TempDir dir;
    const auto pid_file = dir / "grandchild.pid";
    pid_t grandchild = 0;
    {
        ProcessOptions options;
        options.argv = {"sh", "-c", "sleep 300 & echo $! > " + pid_file.string() + "; wait"};
        Process process("parent", options, dir.path());
        wait_until(
            deadline_after(10s), [&] { return !read_file_text(pid_file).empty(); },
            "the child to start a grandchild");
        grandchild = std::stoi(read_file_text(pid_file));
        REQUIRE(process_running(grandchild));
    }
    wait_until(
        deadline_after(10s), [&] { return !process_running(grandchild); },
        "the grandchild (pid " + std::to_string(grandchild) + ") to be gone");
}

TEST_CASE("harness: stop() asks with SIGTERM first") {
    TempDir dir;
    ProcessOptions options;
    options.argv = {"sh", "-c",
                    "trap 'echo got-term; exit 0' TERM; echo ready; "
                    "while true; do sleep 0.05; done"};
    Process process("graceful", options, dir.path());
    wait_until(deadline_after(10s), [&] { return process.stdout_text() == "ready\n"; },
               "the child to install its trap", {process.stderr_path()});
    const ExitStatus status = process.stop(10s);
    CHECK(status.exited_with(0));
    CHECK(process.stdout_text() == "ready\ngot-term\n");
}

TEST_CASE("harness: a program that cannot run is an exception, not a silent child") {
    TempDir dir;
    ProcessOptions options;
    options.argv = {(dir / "no-such-binary").string()};
    CHECK_THROWS_WITH(Process("missing", options, dir.path()),
                      Catch::Contains("cannot run") && Catch::Contains("No such file"));
    CHECK_THROWS(run_command(options));
}

TEST_CASE("harness: run_command kills a command that outlives its timeout") {
    ProcessOptions options;
    options.argv = {"sh", "-c", "echo started; sleep 30"};
    const auto before = Clock::now();
    const CommandResult result = run_command(options, 300ms);
    CHECK(result.timed_out);
    CHECK_FALSE(result.ok());
    CHECK(result.out == "started\n");
    CHECK(Clock::now() - before < 10s);
}

TEST_CASE("harness: tail_file shows the last lines") {
    TempDir dir;
    {
        std::ofstream out(dir / "log");
        for (int i = 1; i <= 100; ++i) out << "line " << i << "\n";
    }
    CHECK(tail_file(dir / "log", 3) == "line 98\nline 99\nline 100\n");
    CHECK(tail_file(dir / "log", 500).starts_with("line 1\nline 2\n"));
    CHECK(tail_file(dir / "missing") == "(no such file)\n");
}

TEST_CASE("harness: free_port gives a port that can be bound on loopback") {
    const uint16_t port = free_port();
    CHECK(port > 0);
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    CHECK(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
    ::close(fd);
}

TEST_CASE("harness: the HTTP client reports a refused connection as status 0") {
    const HttpResponse response =
        HttpClient("http://127.0.0.1:" + std::to_string(free_port())).get("/healthz");
    CHECK(response.status == 0);
    CHECK_FALSE(response.transport_error.empty());
}

TEST_CASE("harness: the fake GitHub records statuses and refuses what GitHub refuses") {
    FakeGitHub github(kToken);
    const HttpClient client(github.url(), kToken);
    const std::string path = "/repos/octo/demo/statuses/" + kSha;

    const HttpResponse created = client.post_json(path, status_body("pending", "queued"));
    CHECK(created.status == 201);
    CHECK(string_field(created.json(), "state") == "pending");

    CHECK(HttpClient(github.url(), "wrong").post_json(path, status_body("success", "")).status ==
          401);
    CHECK(HttpClient(github.url()).post_json(path, status_body("success", "")).status == 401);
    CHECK(client.post_json(path, status_body("done", "")).status == 422);
    CHECK(client.post_json(path, status_body("error", std::string(141, 'x'))).status == 422);
    CHECK(client.post_json(path, "{not json").status == 422);
    CHECK(client.post_json("/repos/octo/demo/statuses/xyz", status_body("success", "")).status ==
          404);
    CHECK(client.get(path).status == 404);

    github.fail_next(1, 503);
    CHECK(client.post_json(path, status_body("success", "failed once")).status == 503);
    CHECK(client.post_json(path, status_body("success", "all good")).status == 201);

    const auto statuses = github.statuses_for("fmg/build");
    REQUIRE(statuses.size() == 2);
    CHECK(statuses[0].state == "pending");
    CHECK(statuses[1].state == "success");
    CHECK(statuses[1].description == "all good");
    CHECK(statuses[1].authorization == "Bearer " + kToken);
    CHECK(statuses[1].target_url == "http://127.0.0.1:5000/pipelines/1");
    CHECK(statuses[1].repo() == "octo/demo");
    CHECK(statuses[1].sha() == kSha);
    CHECK(github.rejected().size() == 7);  // the injected 503 is not a malformed request
    CHECK(github.requests().size() == 10);
}

TEST_CASE("harness: the fake GitHub records concurrent posts without losing any") {
    FakeGitHub github(kToken);
    const std::string path = "/repos/octo/demo/statuses/" + kSha;
    std::vector<std::thread> posters;
    for (int t = 0; t < 4; ++t) {
        posters.emplace_back([&] {
            const HttpClient client(github.url(), kToken);
            for (int i = 0; i < 10; ++i) client.post_json(path, status_body("pending", "queued"));
        });
    }
    for (auto& poster : posters) poster.join();
    CHECK(github.statuses().size() == 40);
}

TEST_CASE("harness: a test repository commits files and clones through its file:// URL") {
    TempDir dir;
    GitRepo repo(dir / "origin");
    repo.write_file("README.md", "hello from the harness\n");
    repo.write_config("version: 2.1\n");
    const std::string first = repo.commit("Add README and config");
    CHECK(std::regex_match(first, std::regex("^[0-9a-f]{40}$")));
    CHECK(repo.head_sha() == first);
    CHECK(repo.url() == "file://" + (dir / "origin").string());

    repo.write_file("README.md", "changed\n");
    const std::string second = repo.commit("Change README");
    CHECK(second != first);

    ProcessOptions clone;
    clone.argv = {"git", "clone", "--quiet", repo.url(), (dir / "clone").string()};
    const CommandResult cloned = run_command(clone, 30s);
    REQUIRE(cloned.ok());
    CHECK(read_file_text(dir / "clone" / "README.md") == "changed\n");
    CHECK(read_file_text(dir / "clone" / ".circleci" / "config.yml") == "version: 2.1\n");

    ProcessOptions log;
    log.argv = {"git", "-C", (dir / "clone").string(), "log", "--format=%H %an", "main"};
    const CommandResult history = run_command(log, 30s);
    REQUIRE(history.ok());
    CHECK(history.out == second + " Octo Cat\n" + first + " Octo Cat\n");
}

TEST_CASE("harness: CURVE key pairs are real X25519 pairs") {
    // RFC 7748 section 6.1: Alice's key pair.
    CHECK(curve_public_key_of("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a") ==
          "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    CHECK(curve_public_key_of("not hex").empty());

    const CurveKeyPair first = generate_curve_keypair();
    const CurveKeyPair second = generate_curve_keypair();
    CHECK(std::regex_match(first.public_hex, std::regex("^[0-9a-f]{64}$")));
    CHECK(std::regex_match(first.secret_hex, std::regex("^[0-9a-f]{64}$")));
    CHECK(curve_public_key_of(first.secret_hex) == first.public_hex);
    CHECK(first.public_hex != second.public_hex);
}

TEST_CASE("harness: replacing credential keys keeps the rest of the file") {
    TempDir dir;
    const auto file = dir / "agent.cred";
    std::ofstream(file) << "runner_id: 7\nhost: build-01\ncoordinator: tcp://127.0.0.1:5555\n"
                           "server_public_key: "
                        << std::string(64, 'a') << "\npublic_key: " << std::string(64, 'b')
                        << "\nsecret_key: " << std::string(64, 'c')
                        << "\ncapacity: 2\nlabels: [linux, docker]\n";
    const CurveKeyPair keys = generate_curve_keypair();
    replace_credentials_keys(file, keys);
    const auto entries = read_credentials(file);
    CHECK(entries.at("runner_id") == "7");
    CHECK(entries.at("host") == "build-01");
    CHECK(entries.at("coordinator") == "tcp://127.0.0.1:5555");
    CHECK(entries.at("server_public_key") == std::string(64, 'a'));
    CHECK(entries.at("public_key") == keys.public_hex);
    CHECK(entries.at("secret_key") == keys.secret_hex);
    CHECK(entries.at("capacity") == "2");
    CHECK(entries.at("labels") == "[linux, docker]");
}
