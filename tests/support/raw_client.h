#pragma once
// A raw TCP client for attacker tests against the HTTP server: connects from a chosen
// loopback source address (127.0.0.2, ...: the server sees a distinct client address), sends
// any bytes, at any pace, and reads whatever comes back.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace fmg::testing {

class RawConnection {
  public:
    /// Connects from `source_address` (port chosen by the kernel) to 127.0.0.1:`port`. Fails
    /// the test when it cannot.
    RawConnection(const std::string& source_address, uint16_t port);
    /// Closes the socket (FIN, or a reset when unread bytes remain).
    ~RawConnection();
    RawConnection(RawConnection&& other) noexcept;
    RawConnection& operator=(RawConnection&&) = delete;
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    /// Sends all of `bytes`; false when the server has closed or reset the connection.
    bool send(std::string_view bytes);
    /// Reads until the server closes the connection or `timeout` passes; returns what came.
    /// `closed()` then says which.
    std::string read_until_closed(std::chrono::milliseconds timeout);
    /// Reads until `marker` appears in what came (or the connection closes, or `timeout`
    /// passes); returns everything read so far.
    std::string read_until(std::string_view marker, std::chrono::milliseconds timeout);
    /// True once a read saw the end of the stream (or a reset).
    bool closed() const { return closed_; }
    /// Closes the socket now.
    void close();

  private:
    int fd_ = -1;
    bool closed_ = false;
    std::string received_;
};

/// The status code of an HTTP answer's first line ("HTTP/1.1 503 ..."), 0 when there is none.
int status_of(const std::string& answer);
/// The first line of an HTTP answer, without its CRLF.
std::string status_line_of(const std::string& answer);
/// The port of a URL like "http://127.0.0.1:5000".
uint16_t port_of(const std::string& url);

}  // namespace fmg::testing
