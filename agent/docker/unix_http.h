#pragma once
// A minimal HTTP/1.1 client over a Unix stream socket, for the Docker Engine API: one
// request per connection (Connection: close), bodies framed by Content-Length, chunked
// encoding or the end of the connection (Docker's raw exec streams). Every wait is a poll()
// with a deadline, and a body read can also be interrupted by a second file descriptor
// (a cancel signal), which Poco's stream-based HTTPClientSession cannot do. Poco 1.11's
// session also sends an empty Host header and reconnects over TCP when it is given an
// already connected Unix socket, so it is not used here.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "agent/docker/chunked_decoder.h"
#include "shared/clock.h"
#include "shared/result.h"

namespace fmg::agent::docker {

struct HttpRequest {
    std::string method;  // "GET", "POST", "DELETE", "HEAD"
    std::string target;  // origin-form, e.g. "/v1.41/containers/json?all=true"
    std::string body;    // sent with Content-Type application/json when not empty
    // Further header fields, e.g. X-Registry-Auth; values must not contain CR or LF.
    std::map<std::string, std::string> headers;
};

struct HttpResponseHead {
    int status = 0;
    std::string reason;
    std::map<std::string, std::string> headers;  // names in lower case

    /// The value of header `lower_case_name`, or "" when it is absent.
    std::string header(const std::string& lower_case_name) const;
};

/// What a body read ended with.
enum class BodyRead {
    data,         // bytes were appended
    end,          // the body is complete
    timed_out,    // the deadline passed with nothing new
    interrupted,  // the interrupt descriptor became readable
};

class UnixHttpConnection {
  public:
    /// Connects to the Unix socket at `socket_path`. Fails with the OS error, e.g.
    /// "cannot connect to /var/run/docker.sock: No such file or directory".
    static Result<UnixHttpConnection> open(const std::string& socket_path, SteadyTime deadline);

    UnixHttpConnection(UnixHttpConnection&& other) noexcept;
    UnixHttpConnection& operator=(UnixHttpConnection&& other) noexcept;
    UnixHttpConnection(const UnixHttpConnection&) = delete;
    UnixHttpConnection& operator=(const UnixHttpConnection&) = delete;
    ~UnixHttpConnection();

    /// Writes `request` completely. Fails on a socket error or when the deadline passes.
    Status send(const HttpRequest& request, SteadyTime deadline);

    /// Writes `request` (whose body must be empty) with the bytes of `file` as its body,
    /// typed `content_type`, in pieces: a large archive is never held in memory. Each piece
    /// must leave before `piece_timeout`.
    Status send_file(const HttpRequest& request, const std::filesystem::path& file,
                     const std::string& content_type, Millis piece_timeout);

    /// Reads the status line and headers of the response to the request just sent.
    Result<HttpResponseHead> read_head(SteadyTime deadline);

    /// Appends the next available body bytes to `out`, waiting until some arrive, the body
    /// ends, `deadline` passes, or `interrupt_fd` (if >= 0) is readable. Fails when the
    /// connection breaks before a framed body is complete.
    Result<BodyRead> read_body(std::string& out, SteadyTime deadline, int interrupt_fd = -1);

    /// Reads the rest of the body (at most `max_bytes`, else fails) before `deadline`.
    Result<std::string> read_all(SteadyTime deadline, size_t max_bytes = size_t{16} << 20);

  private:
    enum class Framing { none, length, chunked, until_close };
    enum class Wait { ready, timed_out, interrupted };

    explicit UnixHttpConnection(int fd) : fd_(fd) {}
    Status send_bytes(std::string_view bytes, SteadyTime deadline);
    Result<Wait> wait_for(short events, SteadyTime deadline, int interrupt_fd);
    // Reads from the socket into buffer_; returns false at end of stream.
    Result<bool> fill(SteadyTime deadline, int interrupt_fd, Wait& wait);
    Result<BodyRead> take_buffered(std::string& out);

    int fd_ = -1;
    bool head_request_ = false;
    std::string buffer_;  // bytes read from the socket and not yet consumed
    Framing framing_ = Framing::none;
    size_t length_remaining_ = 0;
    ChunkedDecoder chunked_;
    bool body_done_ = false;
    bool eof_ = false;
};

}  // namespace fmg::agent::docker
