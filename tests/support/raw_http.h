#pragma once
// A raw HTTP/1.1 client over one TCP socket, for tests that behave as an attacker or a slow
// client would: send a request head alone, a body far longer than anything kept in memory,
// a body a byte at a time; and see whether (and when) the server answered and closed.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "tests/support/http_client.h"
#include "tests/support/wait.h"

namespace fmg::testing {

/// What came back on a raw connection.
struct RawAnswer {
    int status = 0;          // 0: no status line arrived
    std::string head;        // status line and headers
    std::string body;        // what followed the head until the server closed (or the deadline)
    bool closed = false;     // the server closed the connection (EOF or reset) by the deadline
    uint64_t body_sent = 0;  // body bytes the client managed to send before stopping

    std::string describe() const;
};

class RawHttpConnection {
  public:
    /// Connects to `base_url` ("http://127.0.0.1:PORT"). Throws std::runtime_error on failure.
    explicit RawHttpConnection(const std::string& base_url);
    ~RawHttpConnection();
    RawHttpConnection(const RawHttpConnection&) = delete;
    RawHttpConnection& operator=(const RawHttpConnection&) = delete;

    /// Sends all of `data`; false when the server has closed or reset the connection.
    bool send(std::string_view data);
    /// Whether the server has sent something (or closed) that is waiting to be read.
    bool answer_waiting(std::chrono::milliseconds wait = std::chrono::milliseconds(0));
    /// Reads until the server closes the connection or `deadline` passes (or, unless
    /// `until_closed`, until a whole answer with a Content-Length arrived), and parses the
    /// status line. `body_sent` is left for the caller to fill in.
    RawAnswer read_answer(Deadline deadline, bool until_closed = true);

  private:
    int fd_ = -1;
};

/// "POST PATH HTTP/1.1" with Host, Content-Type: application/json, the given headers and
/// `Content-Length: LENGTH` (or `Transfer-Encoding: chunked` when `length` is nullopt).
std::string request_head(const std::string& path, const Headers& headers,
                         std::optional<uint64_t> length);

/// GitHub's webhook headers for `event` (the signature header only when given).
Headers webhook_headers(const std::string& event, const std::optional<std::string>& signature);

/// Posts a body of `length` bytes of `fill` with Content-Length, sending it in 64 KiB pieces
/// and stopping as soon as the server answers (as a well-behaved client does); then reads the
/// answer as read_answer(deadline, until_closed) does. Sends no byte of the body when
/// `send_body` is false. Never throws: a failed connect is an answer with status 0.
RawAnswer post_large(const std::string& base_url, const std::string& path, const Headers& headers,
                     uint64_t length, bool send_body, Deadline deadline, bool until_closed = true,
                     char fill = 'x');

/// VmHWM (peak resident set) or VmRSS of a process in KiB, from /proc/PID/status; fails the
/// test when the line is missing.
int64_t process_memory_kib(pid_t pid, const std::string& field);

}  // namespace fmg::testing
