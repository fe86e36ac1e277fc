#include "coordinator/http/gate.h"

#include <Poco/Net/StreamSocketImpl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "coordinator/http/constants.h"
#include "coordinator/http/gate_answers.h"
#include "shared/log.h"

namespace fmg::coordinator::http {
namespace {

/// Connections accepted per wake-up before the gate looks at the others again.
constexpr int kAcceptBatch = 64;
/// epoll events taken per wait.
constexpr int kEventBatch = 128;

/// The client's address as the per-address cap counts it: IPv4 addresses whole (also when
/// mapped into IPv6), IPv6 addresses by their /64 prefix.
std::string peer_address(int fd) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return "?";
    char text[INET6_ADDRSTRLEN] = {};
    if (address.ss_family == AF_INET) {
        ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&address)->sin_addr, text,
                    sizeof text);
    } else if (address.ss_family == AF_INET6) {
        in6_addr host = reinterpret_cast<sockaddr_in6*>(&address)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(&host)) {
            ::inet_ntop(AF_INET, &host.s6_addr[12], text, sizeof text);
            return text;
        }
        // One IPv6 host usually has a whole /64: counted per address, it would have 2^64 caps.
        std::fill(host.s6_addr + 8, host.s6_addr + 16, 0);
        ::inet_ntop(AF_INET6, &host, text, sizeof text);
        return std::string(text) + "/64";
    }
    return text;
}

}  // namespace

Gate::Gate(Poco::Net::ServerSocket listener, ConnectionLimits& limits, WorkerPool& workers,
           WorkerPool& followers, bool webhook_secret_set, Poco::Net::Context::Ptr tls)
    : listener_(std::move(listener)),
      limits_(limits),
      workers_(workers),
      followers_(followers),
      webhook_secret_set_(webhook_secret_set),
      tls_(std::move(tls)),
      peek_buffer_(kMaxRequestHeadBytes) {}

Gate::~Gate() {
    stop();
}

void Gate::start() {
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
    listener_.setBlocking(false);
    epoll_event wake{};
    wake.events = EPOLLIN;
    wake.data.fd = wake_fd_;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &wake);
    epoll_event listen{};
    listen.events = EPOLLIN;
    listen.data.fd = listener_.impl()->sockfd();
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen.data.fd, &listen);
    thread_ = std::thread([this] { run(); });
}

void Gate::stop() {
    if (!thread_.joinable()) return;
    uint64_t one = 1;
    [[maybe_unused]] ssize_t written = ::write(wake_fd_, &one, sizeof one);
    thread_.join();
    while (!pending_.empty()) close_pending(pending_.begin()->first);
    listener_.close();
    ::close(wake_fd_);
    ::close(epoll_fd_);
}

uint16_t Gate::port() const {
    return listener_.address().port();
}

void Gate::run() {
    std::vector<epoll_event> events(kEventBatch);
    while (!stopping_) {
        int ready =
            ::epoll_wait(epoll_fd_, events.data(), kEventBatch, wait_timeout_ms(Clock::now()));
        if (ready < 0 && errno != EINTR) {
            FMG_LOG(error) << "http gate: epoll_wait failed: " << std::strerror(errno);
            return;
        }
        Clock::time_point now = Clock::now();
        for (int i = 0; i < ready; ++i) {
            int fd = events[i].data.fd;
            if (fd == wake_fd_) {
                stopping_ = true;
            } else if (fd == listener_.impl()->sockfd()) {
                accept_connections(now);
            } else if (pending_.count(fd)) {
                // One connection's failure (a Poco exception from a socket call) must not end
                // the gate: that connection alone is closed.
                try {
                    examine(fd, events[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR));
                } catch (const std::exception& e) {
                    FMG_LOG(warn) << "http gate: dropping a connection: " << e.what();
                    if (pending_.count(fd)) close_pending(fd);
                }
            }
        }
        expire(now);
        if (!accepting_ && now >= accept_resume_) set_accepting(true);
    }
}

void Gate::accept_connections(Clock::time_point now) {
    for (int i = 0; i < kAcceptBatch; ++i) {
        int fd =
            ::accept4(listener_.impl()->sockfd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            try {
                admit(fd, now);
            } catch (const std::exception& e) {
                FMG_LOG(warn) << "http gate: dropping a new connection: " << e.what();
                if (pending_.count(fd)) {
                    close_pending(fd);
                } else {
                    limits_.release_fd(fd);
                    ::close(fd);
                }
            }
            continue;
        }
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
            FMG_LOG(warn) << "http gate: cannot accept: " << std::strerror(errno)
                          << "; pausing accepts";
            accept_resume_ = now + kAcceptPauseAfterEmfile;
            set_accepting(false);
        }
        return;  // EAGAIN (no more waiting) or a connection that failed before accept
    }
}

void Gate::admit(int fd, Clock::time_point now) {
    std::string address = peer_address(fd);
    switch (limits_.admit(fd, address)) {
        case Admission::admitted:
            break;
        case Admission::address_full:
            limits_.count_refusal(GateRefusal::address_cap);
            // A TLS client cannot read an answer before its handshake: it is only closed.
            if (!tls_) {
                answer_and_finish(fd,
                                  refusal_answer(Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE,
                                                 "too many connections from " + address));
            }
            ::close(fd);
            return;
        case Admission::total_full:
            limits_.count_refusal(GateRefusal::total_cap);
            if (!tls_) {
                answer_and_finish(fd,
                                  refusal_answer(Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE,
                                                 "too many connections"));
            }
            ::close(fd);
            return;
    }
    // From here the socket owns the descriptor, and pending_ the socket (so a failure below
    // closes it once, through close_pending).
    Clock::time_point deadline = now + kRequestHeadDeadline;
    Poco::Net::StreamSocket socket;
    TlsConnection* tls = nullptr;
    if (tls_) {
        // The TLS connection takes a reference to the plain socket, which `plain` gives back.
        Poco::AutoPtr<Poco::Net::StreamSocketImpl> plain(new Poco::Net::StreamSocketImpl(fd));
        tls = new TlsConnection(plain.get(), tls_);
        socket = Poco::Net::StreamSocket(tls);
    } else {
        socket = Poco::Net::StreamSocket(new Poco::Net::StreamSocketImpl(fd));
    }
    Pending fresh{socket, deadline, 0, Route::worker, tls, false, {}};
    auto [entry, inserted] = pending_.emplace(fd, std::move(fresh));
    deadlines_.emplace_back(deadline, fd);
    entry->second.socket.setBlocking(false);  // Poco's own record of the mode
    int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    // Edge-triggered: an event for each arrival of bytes, although peeking leaves them unread.
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
    event.data.fd = fd;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) close_pending(fd);
}

void Gate::examine(int fd, bool peer_closed) {
    Pending& pending = pending_.at(fd);
    if (pending.tls != nullptr) return examine_tls(fd, pending, peer_closed);
    if (pending.needed > 0) return wait_for_body(fd, pending, peer_closed);
    ssize_t n = ::recv(fd, peek_buffer_.data(), peek_buffer_.size(), MSG_PEEK | MSG_DONTWAIT);
    if (n == 0 || (n < 0 && (peer_closed || (errno != EAGAIN && errno != EWOULDBLOCK)))) {
        close_pending(fd);  // gone before its request was complete
        return;
    }
    if (n < 0) return;
    std::string_view received(peek_buffer_.data(), static_cast<size_t>(n));
    RequestHead head = scan_request_head(received, kMaxRequestHeadBytes);
    switch (head.state) {
        case HeadState::incomplete:
            if (peer_closed) close_pending(fd);
            return;
        case HeadState::too_large:
        case HeadState::malformed:
            return refuse_head(fd, head.state);
        case HeadState::complete:
            break;
    }
    if (!take_head(fd, pending, head, static_cast<size_t>(n))) return;
    wait_for_body(fd, pending, peer_closed);
}

bool Gate::take_head(int fd, Pending& pending, const RequestHead& head, size_t arrived) {
    pending.route = route_of(head);
    if (pending.route == Route::healthz) {
        finish_pending(fd, healthz_answer());
        return false;
    }
    // A request refused unread (a webhook without a usable signature) goes on with its head
    // alone: its client may wait for the answer before sending the body, and the worker's
    // answer takes no time.
    const size_t held = answered_before_body(head, webhook_secret_set_)
                            ? 0
                            : std::min(head.content_length.value_or(0), kMaxHeldBodyBytes);
    pending.needed = head.head_bytes + held;
    if (head.expects_continue && arrived < pending.needed) {
        // The client sends its body only when told to; the gate tells it, so the body arrives
        // here and not in a worker (Poco's second "100 Continue" is allowed: clients skip any
        // number of 1xx answers).
        static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        if (pending.tls != nullptr) {
            pending.tls->send_now(kContinue);
        } else {
            [[maybe_unused]] ssize_t sent =
                ::send(fd, kContinue.data(), kContinue.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        }
    }
    return true;
}

void Gate::examine_tls(int fd, Pending& pending, bool peer_closed) {
    if (!pending.handshaken) {
        switch (pending.tls->handshake()) {
            case TlsConnection::Progress::failed:
                return close_pending(fd);
            case TlsConnection::Progress::waiting:
                if (peer_closed) close_pending(fd);
                return;
            case TlsConnection::Progress::done:
                pending.handshaken = true;
                break;
        }
    }
    // The request may have come with the handshake's last flight, or in pieces since: read
    // what is there (at most the head's limit until the head is known, then what is held).
    bool ended = peer_closed;
    for (int round = 0; round < 2; ++round) {
        const size_t limit = pending.needed > 0 ? pending.needed : kMaxRequestHeadBytes;
        const TlsConnection::Progress read = pending.tls->read_available(pending.received, limit);
        if (read == TlsConnection::Progress::failed) return close_pending(fd);
        ended = ended || read == TlsConnection::Progress::done;
        if (pending.needed > 0) break;
        RequestHead head = scan_request_head(pending.received, kMaxRequestHeadBytes);
        switch (head.state) {
            case HeadState::incomplete:
                if (pending.received.size() < kMaxRequestHeadBytes) {
                    if (ended) close_pending(fd);  // gone before its request was complete
                    return;
                }
                [[fallthrough]];  // the limit was read and the head is not over
            case HeadState::too_large:
            case HeadState::malformed:
                return refuse_head(fd, head.state);
            case HeadState::complete:
                break;
        }
        if (!take_head(fd, pending, head, pending.received.size())) return;
        // And once more: the body the head announced may be here already.
    }
    if (pending.received.size() >= pending.needed || ended) dispatch(fd, pending.route);
}

void Gate::wait_for_body(int fd, Pending& pending, bool peer_closed) {
    // The head was read: from now on only the number of bytes waiting matters, which the
    // kernel tells without copying them.
    int available = 0;
    if (::ioctl(fd, FIONREAD, &available) != 0) return close_pending(fd);
    if (static_cast<size_t>(available) >= pending.needed || peer_closed) {
        dispatch(fd, pending.route);
    }
}

void Gate::dispatch(int fd, Route route) {
    WorkerPool* pool = &workers_;
    if (route == Route::follower) {
        if (!limits_.start_following(fd)) {
            return refuse(
                fd, GateRefusal::follower_cap, Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE,
                "too many log followers and downloads (" + std::to_string(kMaxLogFollowers) + ")");
        }
        pool = &followers_;
    } else if (workers_.full()) {
        return refuse(fd, GateRefusal::queue_full,
                      Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE,
                      "the server is busy: every worker is taken");
    }
    auto found = pending_.find(fd);
    Poco::Net::StreamSocket socket = found->second.socket;
    // What the gate read of a TLS request goes back in front of the rest for the worker.
    if (found->second.tls != nullptr)
        found->second.tls->put_back(std::move(found->second.received));
    pending_.erase(found);
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    socket.setBlocking(true);
    pool->hand_over(socket);
}

void Gate::expire(Clock::time_point now) {
    while (!deadlines_.empty() && deadlines_.front().first <= now) {
        auto [deadline, fd] = deadlines_.front();
        deadlines_.pop_front();
        auto found = pending_.find(fd);
        // The fd may have been closed, and its number reused by a later connection.
        if (found == pending_.end() || found->second.deadline != deadline) continue;
        refuse(fd, GateRefusal::head_deadline, Poco::Net::HTTPResponse::HTTP_REQUEST_TIMEOUT,
               "no complete request within " + std::to_string(kRequestHeadDeadline.count()) + " s");
    }
}

int Gate::wait_timeout_ms(Clock::time_point now) const {
    Clock::time_point next = Clock::time_point::max();
    if (!deadlines_.empty()) next = deadlines_.front().first;
    if (!accepting_) next = std::min(next, accept_resume_);
    if (next == Clock::time_point::max()) return -1;
    if (next <= now) return 0;
    auto wait = std::chrono::ceil<std::chrono::milliseconds>(next - now);
    return static_cast<int>(std::min<int64_t>(wait.count(), 60'000));
}

void Gate::refuse_head(int fd, HeadState state) {
    if (state == HeadState::malformed) {
        return refuse(fd, GateRefusal::bad_request, Poco::Net::HTTPResponse::HTTP_BAD_REQUEST,
                      "not an HTTP request");
    }
    refuse(fd, GateRefusal::head_too_large,
           Poco::Net::HTTPResponse::HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE,
           "request head larger than " + std::to_string(kMaxRequestHeadBytes) + " bytes");
}

void Gate::refuse(int fd, GateRefusal cause, Poco::Net::HTTPResponse::HTTPStatus status,
                  const std::string& message) {
    limits_.count_refusal(cause);
    finish_pending(fd, refusal_answer(status, message));
}

void Gate::finish_pending(int fd, const std::string& answer) {
    auto found = pending_.find(fd);
    if (found != pending_.end() && found->second.tls != nullptr) {
        // Over TLS an answer needs the handshake done; before it, the client is only closed.
        if (found->second.handshaken) found->second.tls->send_now(answer);
    } else {
        answer_and_finish(fd, answer);
    }
    close_pending(fd);
}

void Gate::close_pending(int fd) {
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    limits_.release_fd(fd);
    pending_.erase(fd);  // the last reference: closes the socket
}

void Gate::set_accepting(bool accepting) {
    accepting_ = accepting;
    epoll_event listen{};
    listen.events = accepting ? static_cast<uint32_t>(EPOLLIN) : 0u;
    listen.data.fd = listener_.impl()->sockfd();
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, listen.data.fd, &listen);
}

}  // namespace fmg::coordinator::http
