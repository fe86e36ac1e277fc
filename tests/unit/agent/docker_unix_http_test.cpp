// The HTTP client and DockerClient's error handling against a scripted Unix socket server:
// body framings, waits that time out or are interrupted, and Docker's error messages.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstring>
#include <thread>

#include "agent/docker/client.h"
#include "agent/docker/unix_http.h"
#include "executor_test_support.h"

using namespace fmg::agent::docker;
using namespace std::chrono_literals;
using fmg::Result;
using fmg::Status;
using fmg::agent::testing::TempWorkspace;

namespace {

struct Reply {
    std::string bytes;
    bool close_after = true;  // false: keep the connection until the client closes it
};

// Answers one connection per reply, in order, then stops.
class ScriptedServer {
  public:
    explicit ScriptedServer(std::vector<Reply> replies) : path_(directory_.path() / "docker.sock") {
        listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, path_.c_str(), sizeof(address.sun_path) - 1);
        REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
        REQUIRE(::listen(listener_, 4) == 0);
        thread_ = std::thread([this, replies = std::move(replies)] { serve(replies); });
    }
    ~ScriptedServer() {
        thread_.join();
        ::close(listener_);
    }
    ScriptedServer(const ScriptedServer&) = delete;
    ScriptedServer& operator=(const ScriptedServer&) = delete;

    std::string path() const { return path_.string(); }
    std::string requests() {
        thread_.join();
        thread_ = std::thread([] {});
        return requests_;
    }

  private:
    void serve(const std::vector<Reply>& replies) {
        for (const auto& reply : replies) {
            int connection = ::accept(listener_, nullptr, nullptr);
            if (connection < 0) return;
            std::string request;
            char buffer[4096];
            while (request.find("\r\n\r\n") == std::string::npos) {
                ssize_t n = ::read(connection, buffer, sizeof(buffer));
                if (n <= 0) break;
                request.append(buffer, static_cast<size_t>(n));
            }
            requests_ += request;
            (void)::write(connection, reply.bytes.data(), reply.bytes.size());
            if (!reply.close_after) {
                while (::read(connection, buffer, sizeof(buffer)) > 0) {
                }
            }
            ::close(connection);
        }
    }

    TempWorkspace directory_;
    std::filesystem::path path_;
    int listener_ = -1;
    std::string requests_;
    std::thread thread_;
};

fmg::SteadyTime in(std::chrono::milliseconds duration) {
    return std::chrono::steady_clock::now() + duration;
}

// One chunk of a chunked body.
std::string chunk(const std::string& data) {
    char size[16];
    std::snprintf(size, sizeof(size), "%zx", data.size());
    return std::string(size) + "\r\n" + data + "\r\n";
}

Result<std::string> fetch(const std::string& socket) {
    auto connection = UnixHttpConnection::open(socket, in(2s));
    if (!connection) return connection.error();
    if (auto sent = connection->send({"GET", "/v1.41/thing", "", {}}, in(2s)); !sent)
        return sent.error();
    auto head = connection->read_head(in(2s));
    if (!head) return head.error();
    return connection->read_all(in(2s));
}

}  // namespace

TEST_CASE("http: Content-Length, chunked and until-close bodies", "[docker-http]") {
    ScriptedServer server({
        {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"},
        {"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\nraw bytes"},
    });
    auto length = fetch(server.path());
    REQUIRE(length);
    CHECK(*length == "hello");
    auto chunked = fetch(server.path());
    REQUIRE(chunked);
    CHECK(*chunked == "abcde");
    auto until_close = fetch(server.path());
    REQUIRE(until_close);
    CHECK(*until_close == "raw bytes");
    std::string requests = server.requests();
    CHECK_THAT(requests, Catch::StartsWith("GET /v1.41/thing HTTP/1.1\r\nHost: docker\r\n"));
}

TEST_CASE("http: a body cut short is an error", "[docker-http]") {
    ScriptedServer server({{"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort"}});
    auto body = fetch(server.path());
    REQUIRE_FALSE(body);
    CHECK_THAT(body.error().message, Catch::Contains("closed the connection"));
}

TEST_CASE("http: a silent stream times out, and an interrupt wakes it", "[docker-http]") {
    ScriptedServer server({{"HTTP/1.1 200 OK\r\n\r\n", false}});
    auto connection = UnixHttpConnection::open(server.path(), in(2s));
    REQUIRE(connection);
    REQUIRE(connection->send({"POST", "/v1.41/exec/x/start", "{}", {}}, in(2s)));
    REQUIRE(connection->read_head(in(2s)));
    std::string out;
    auto started = std::chrono::steady_clock::now();
    auto silent = connection->read_body(out, in(150ms));
    REQUIRE(silent);
    CHECK(*silent == BodyRead::timed_out);
    CHECK(std::chrono::steady_clock::now() - started >= 150ms);

    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    REQUIRE(::write(pipe_fds[1], "x", 1) == 1);
    auto woken = connection->read_body(out, in(10s), pipe_fds[0]);
    REQUIRE(woken);
    CHECK(*woken == BodyRead::interrupted);
    CHECK(out.empty());
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
}

TEST_CASE("http: a missing socket names the path", "[docker-http]") {
    auto connection = UnixHttpConnection::open("/nonexistent/docker.sock", in(1s));
    REQUIRE_FALSE(connection);
    CHECK(connection.error().message ==
          "cannot connect to /nonexistent/docker.sock: No such file or directory");
}

TEST_CASE("docker client passes Docker's error messages on", "[docker-http]") {
    const std::string not_found =
        "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 46\r\n\r\n"
        R"({"message":"No such container: 0123456789ab"})"
        "\n";
    ScriptedServer server({
        {not_found},
        {"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 9\r\n\r\nnot json!"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
         chunk(R"({"status":"Pulling from team/app","id":"1"})"
               "\r\n{\"status\":\"Down") +
         chunk(R"(loading","progressDetail":{"current":1},"id":"1"})"
               "\r\n") +
         chunk(R"({"errorDetail":{"message":"toomanyrequests"},"error":"toomanyrequests"})") +
         "0\r\n\r\n"},
    });
    DockerClient client(server.path(), 2s);
    Status started = client.start_container("0123456789ab");
    REQUIRE_FALSE(started);
    CHECK(started.error().message == "No such container: 0123456789ab");

    auto listed = client.list_containers("fmg.attempt");
    REQUIRE_FALSE(listed);
    CHECK(listed.error().message == "HTTP 500: not json!");

    std::vector<std::string> lines;
    Status pulled = client.pull_image("registry.example:5000/team/app:1.2",
                                      [&](const std::string& line) { lines.push_back(line); });
    REQUIRE_FALSE(pulled);
    CHECK(pulled.error().message == "toomanyrequests");
    CHECK(lines == std::vector<std::string>{"1: Pulling from team/app"});
    std::string requests = server.requests();
    CHECK_THAT(
        requests,
        Catch::Contains("POST /v1.41/containers/0123456789ab/start HTTP/1.1") &&
            Catch::Contains("GET /v1.41/containers/json?all=true&filters=%7B%22label%22%3A%5B"
                            "%22fmg.attempt%22%5D%7D HTTP/1.1") &&
            Catch::Contains("POST /v1.41/images/create?fromImage=registry.example%3A5000%2F"
                            "team%2Fapp&tag=1.2 HTTP/1.1"));
}
