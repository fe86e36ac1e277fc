#include "agent/docker/unix_http.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "shared/text.h"

namespace fmg::agent::docker {
namespace {

constexpr size_t kMaxHeadBytes = 64 * 1024;
constexpr size_t kReadChunk = 64 * 1024;

std::string lower(std::string_view text) {
    std::string result(text);
    std::transform(result.begin(), result.end(), result.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return result;
}

int poll_timeout_ms(SteadyTime deadline) {
    auto left = std::chrono::ceil<Millis>(deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::clamp<Millis::rep>(left.count(), 0, 60'000));
}

std::string os_error(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

Result<HttpResponseHead> parse_head(std::string_view text) {
    HttpResponseHead head;
    size_t line_end = text.find("\r\n");
    std::string_view status_line = text.substr(0, line_end);
    // "HTTP/1.1 200 OK"
    if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12 || status_line[8] != ' ') {
        return Error{"not an HTTP response: \"" + std::string(status_line.substr(0, 80)) + "\""};
    }
    std::string_view code = status_line.substr(9, 3);
    if (!std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return Error{"bad HTTP status line: \"" + std::string(status_line) + "\""};
    }
    head.status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
    head.reason = std::string(trim(status_line.substr(12)));
    while (line_end != std::string_view::npos) {
        size_t start = line_end + 2;
        line_end = text.find("\r\n", start);
        std::string_view line = text.substr(start, line_end - start);
        if (line.empty()) continue;
        size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        head.headers[lower(trim(line.substr(0, colon)))] =
            std::string(trim(line.substr(colon + 1)));
    }
    return head;
}

}  // namespace

std::string HttpResponseHead::header(const std::string& lower_case_name) const {
    auto it = headers.find(lower_case_name);
    return it == headers.end() ? std::string() : it->second;
}

Result<UnixHttpConnection> UnixHttpConnection::open(const std::string& socket_path,
                                                    SteadyTime deadline) {
    sockaddr_un address{};
    if (socket_path.size() >= sizeof(address.sun_path)) {
        return Error{"socket path too long: " + socket_path};
    }
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return Error{os_error("socket")};
    UnixHttpConnection connection(fd);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
        if (errno != EAGAIN && errno != EINPROGRESS) {
            return Error{os_error("cannot connect to " + socket_path)};
        }
        auto waited = connection.wait_for(POLLOUT, deadline, -1);
        if (!waited) return waited.error();
        if (*waited != Wait::ready) return Error{"timed out connecting to " + socket_path};
        int error = 0;
        socklen_t size = sizeof(error);
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
        if (error != 0) {
            errno = error;
            return Error{os_error("cannot connect to " + socket_path)};
        }
    }
    return connection;
}

UnixHttpConnection::UnixHttpConnection(UnixHttpConnection&& other) noexcept {
    *this = std::move(other);
}

UnixHttpConnection& UnixHttpConnection::operator=(UnixHttpConnection&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        head_request_ = other.head_request_;
        buffer_ = std::move(other.buffer_);
        framing_ = other.framing_;
        length_remaining_ = other.length_remaining_;
        chunked_ = other.chunked_;
        body_done_ = other.body_done_;
        eof_ = other.eof_;
    }
    return *this;
}

UnixHttpConnection::~UnixHttpConnection() {
    if (fd_ >= 0) ::close(fd_);
}

Result<UnixHttpConnection::Wait> UnixHttpConnection::wait_for(short events, SteadyTime deadline,
                                                              int interrupt_fd) {
    for (;;) {
        pollfd fds[2] = {{fd_, events, 0}, {interrupt_fd, POLLIN, 0}};
        int count = ::poll(fds, interrupt_fd >= 0 ? 2 : 1, poll_timeout_ms(deadline));
        if (count < 0) {
            if (errno == EINTR) continue;
            return Error{os_error("poll")};
        }
        if (interrupt_fd >= 0 && (fds[1].revents & POLLIN)) return Wait::interrupted;
        if (fds[0].revents != 0) return Wait::ready;
        if (std::chrono::steady_clock::now() >= deadline) return Wait::timed_out;
    }
}

Status UnixHttpConnection::send(const HttpRequest& request, SteadyTime deadline) {
    head_request_ = request.method == "HEAD";
    std::string message = request.method + " " + request.target +
                          " HTTP/1.1\r\nHost: docker\r\nUser-Agent: fmg-agent\r\n"
                          "Connection: close\r\n";
    for (const auto& [name, value] : request.headers) message += name + ": " + value + "\r\n";
    if (!request.body.empty()) message += "Content-Type: application/json\r\n";
    if (!request.body.empty() || request.method == "POST") {
        message += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
    }
    message += "\r\n";
    message += request.body;
    return send_bytes(message, deadline);
}

Status UnixHttpConnection::send_bytes(std::string_view bytes, SteadyTime deadline) {
    size_t sent = 0;
    while (sent < bytes.size()) {
        ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN) return Error{os_error("send to Docker")};
        auto waited = wait_for(POLLOUT, deadline, -1);
        if (!waited) return waited.error();
        if (*waited != Wait::ready) return Error{"timed out sending a request to Docker"};
    }
    return {};
}

Status UnixHttpConnection::send_file(const HttpRequest& request, const std::filesystem::path& file,
                                     const std::string& content_type, Millis piece_timeout) {
    std::error_code ec;
    const uintmax_t size = std::filesystem::file_size(file, ec);
    if (ec) return Error{"cannot read " + file.string() + ": " + ec.message()};
    std::string head = request.method + " " + request.target +
                       " HTTP/1.1\r\nHost: docker\r\nUser-Agent: fmg-agent\r\n"
                       "Connection: close\r\nContent-Type: " +
                       content_type + "\r\nContent-Length: " + std::to_string(size) + "\r\n";
    for (const auto& [name, value] : request.headers) head += name + ": " + value + "\r\n";
    head += "\r\n";
    if (Status sent = send_bytes(head, std::chrono::steady_clock::now() + piece_timeout); !sent)
        return sent;
    std::ifstream in(file, std::ios::binary);
    if (!in) return Error{"cannot read " + file.string()};
    std::string piece(1 << 20, '\0');
    uintmax_t left = size;
    while (left > 0) {
        const auto n = static_cast<std::streamsize>(std::min<uintmax_t>(piece.size(), left));
        if (!in.read(piece.data(), n)) return Error{"cannot read " + file.string()};
        if (Status sent = send_bytes(std::string_view(piece.data(), static_cast<size_t>(n)),
                                     std::chrono::steady_clock::now() + piece_timeout);
            !sent) {
            return sent;
        }
        left -= static_cast<uintmax_t>(n);
    }
    return {};
}

Result<bool> UnixHttpConnection::fill(SteadyTime deadline, int interrupt_fd, Wait& wait) {
    for (;;) {
        char chunk[kReadChunk];
        ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
        if (n > 0) {
            buffer_.append(chunk, static_cast<size_t>(n));
            wait = Wait::ready;
            return true;
        }
        if (n == 0) {
            eof_ = true;
            wait = Wait::ready;
            return false;
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN) return Error{os_error("read from Docker")};
        auto waited = wait_for(POLLIN, deadline, interrupt_fd);
        if (!waited) return waited.error();
        wait = *waited;
        if (wait != Wait::ready) return true;
    }
}

Result<HttpResponseHead> UnixHttpConnection::read_head(SteadyTime deadline) {
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
        if (buffer_.size() > kMaxHeadBytes) return Error{"Docker's response headers are too long"};
        Wait wait;
        auto more = fill(deadline, -1, wait);
        if (!more) return more.error();
        if (wait == Wait::timed_out) return Error{"timed out waiting for Docker's response"};
        if (!*more) return Error{"Docker closed the connection before responding"};
    }
    auto head = parse_head(std::string_view(buffer_).substr(0, end + 2));
    buffer_.erase(0, end + 4);
    if (!head) return head.error();

    std::string length = head->header("content-length");
    if (head_request_ || head->status / 100 == 1 || head->status == 204 || head->status == 304) {
        framing_ = Framing::none;
    } else if (lower(head->header("transfer-encoding")).find("chunked") != std::string::npos) {
        framing_ = Framing::chunked;
    } else if (!length.empty()) {
        framing_ = Framing::length;
        length_remaining_ = std::strtoull(length.c_str(), nullptr, 10);
    } else {
        framing_ = Framing::until_close;
    }
    body_done_ = framing_ == Framing::none || (framing_ == Framing::length && !length_remaining_);
    return head;
}

Result<BodyRead> UnixHttpConnection::take_buffered(std::string& out) {
    size_t before = out.size();
    switch (framing_) {
        case Framing::none:
            break;
        case Framing::length: {
            size_t take = std::min(length_remaining_, buffer_.size());
            out.append(buffer_, 0, take);
            buffer_.erase(0, take);
            length_remaining_ -= take;
            body_done_ = length_remaining_ == 0;
            break;
        }
        case Framing::chunked: {
            auto consumed = chunked_.feed(buffer_, out);
            if (!consumed) return consumed.error();
            buffer_.erase(0, *consumed);
            body_done_ = chunked_.done();
            break;
        }
        case Framing::until_close:
            out += buffer_;
            buffer_.clear();
            body_done_ = eof_;
            break;
    }
    if (out.size() > before) return BodyRead::data;
    return body_done_ ? BodyRead::end : BodyRead::timed_out;  // timed_out: "nothing yet"
}

Result<BodyRead> UnixHttpConnection::read_body(std::string& out, SteadyTime deadline,
                                               int interrupt_fd) {
    for (;;) {
        auto taken = take_buffered(out);
        if (!taken || *taken != BodyRead::timed_out) return taken;
        if (eof_) return Error{"Docker closed the connection in the middle of a response"};
        Wait wait;
        auto more = fill(deadline, interrupt_fd, wait);
        if (!more) return more.error();
        if (wait == Wait::timed_out) return BodyRead::timed_out;
        if (wait == Wait::interrupted) return BodyRead::interrupted;
        if (!*more && framing_ == Framing::until_close) body_done_ = true;
    }
}

Result<std::string> UnixHttpConnection::read_all(SteadyTime deadline, size_t max_bytes) {
    std::string body;
    for (;;) {
        auto read = read_body(body, deadline);
        if (!read) return read.error();
        if (*read == BodyRead::end) return body;
        if (*read == BodyRead::timed_out) return Error{"timed out reading Docker's response"};
        if (body.size() > max_bytes) return Error{"Docker's response is too large"};
    }
}

}  // namespace fmg::agent::docker
