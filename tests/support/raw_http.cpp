#include "tests/support/raw_http.h"

#include <Poco/URI.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fmg::testing {

std::string RawAnswer::describe() const {
    std::ostringstream out;
    out << "status " << status << (closed ? ", closed" : ", still open") << ", " << body_sent
        << " body bytes sent, head: " << head.substr(0, head.find('\r')) << ", body: " << body;
    return out.str();
}

RawHttpConnection::RawHttpConnection(const std::string& base_url) {
    const Poco::URI uri(base_url);
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(uri.getPort());
    if (::inet_pton(AF_INET, uri.getHost().c_str(), &address.sin_addr) != 1) {
        throw std::runtime_error("not an IPv4 address: " + uri.getHost());
    }
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        const std::string error = std::strerror(errno);
        ::close(fd_);
        throw std::runtime_error("connect to " + base_url + ": " + error);
    }
}

RawHttpConnection::~RawHttpConnection() {
    if (fd_ >= 0) ::close(fd_);
}

bool RawHttpConnection::send(std::string_view data) {
    while (!data.empty()) {
        const ssize_t sent = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR) continue;
        if (sent <= 0) return false;
        data.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
}

bool RawHttpConnection::answer_waiting(std::chrono::milliseconds wait) {
    pollfd entry{fd_, POLLIN, 0};
    return ::poll(&entry, 1, static_cast<int>(wait.count())) > 0;
}

namespace {

/// Whether `received` holds a whole answer whose head gives its Content-Length.
bool whole_answer(const std::string& received) {
    const size_t end_of_head = received.find("\r\n\r\n");
    if (end_of_head == std::string::npos) return false;
    std::string head = received.substr(0, end_of_head);
    for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const size_t field = head.find("\r\ncontent-length:");
    if (field == std::string::npos) return false;
    const uint64_t length = std::stoull(head.substr(field + 17));
    return received.size() - end_of_head - 4 >= length;
}

}  // namespace

RawAnswer RawHttpConnection::read_answer(Deadline deadline, bool until_closed) {
    RawAnswer answer;
    std::string received;
    char buffer[65536];
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) break;
        pollfd entry{fd_, POLLIN, 0};
        if (::poll(&entry, 1, static_cast<int>(left.count())) <= 0) continue;
        const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            answer.closed = true;
            break;
        }
        received.append(buffer, static_cast<size_t>(got));
        if (!until_closed && whole_answer(received)) break;
    }
    const size_t end_of_head = received.find("\r\n\r\n");
    answer.head = received.substr(0, end_of_head);
    if (end_of_head != std::string::npos) answer.body = received.substr(end_of_head + 4);
    if (received.rfind("HTTP/1.", 0) == 0 && received.size() >= 12) {
        answer.status = std::atoi(received.substr(9, 3).c_str());
    }
    return answer;
}

std::string request_head(const std::string& path, const Headers& headers,
                         std::optional<uint64_t> length) {
    std::string head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    head += "Content-Type: application/json\r\n";
    for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
    head += length ? "Content-Length: " + std::to_string(*length) + "\r\n"
                   : std::string("Transfer-Encoding: chunked\r\n");
    return head + "\r\n";
}

Headers webhook_headers(const std::string& event, const std::optional<std::string>& signature) {
    Headers headers{{"User-Agent", "GitHub-Hookshot/7a4c9b2"},
                    {"X-GitHub-Event", event},
                    {"X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"}};
    if (signature) headers.emplace_back("X-Hub-Signature-256", *signature);
    return headers;
}

RawAnswer post_large(const std::string& base_url, const std::string& path, const Headers& headers,
                     uint64_t length, bool send_body, Deadline deadline, bool until_closed,
                     char fill) {
    std::optional<RawHttpConnection> connecting;
    try {
        connecting.emplace(base_url);
    } catch (const std::exception& error) {
        RawAnswer failed;
        failed.body = error.what();
        failed.closed = true;
        return failed;
    }
    RawHttpConnection& connection = *connecting;
    uint64_t sent = 0;
    if (connection.send(request_head(path, headers, length)) && send_body) {
        const std::string piece(64 * 1024, fill);
        while (sent < length && !connection.answer_waiting()) {
            const size_t size =
                static_cast<size_t>(std::min<uint64_t>(piece.size(), length - sent));
            if (!connection.send(std::string_view(piece).substr(0, size))) break;
            sent += size;
        }
    }
    RawAnswer answer = connection.read_answer(deadline, until_closed);
    answer.body_sent = sent;
    return answer;
}

int64_t process_memory_kib(pid_t pid, const std::string& field) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1));
    }
    FAIL("no " << field << " in /proc/" << pid << "/status");
    return 0;
}

}  // namespace fmg::testing
