#pragma once
// One TLS connection of the HTTP server (--tls-cert/--tls-key), as the gate (http/gate.h) and
// then a worker see it. The gate must not give a thread to a client that has not sent its
// whole request, and it cannot peek at what a TLS client sent without decrypting it (Poco
// 1.11's TLS sockets read even when asked to peek), so for TLS it works on this connection:
// it completes the handshake without blocking, reads the request head (and a body of up to
// kMaxHeldBodyBytes) as it arrives, and hands it over with those bytes put back in front:
// the worker's Poco HTTP server reads them first, then the rest of the connection, as if
// nothing had been read.

#include <Poco/Net/Context.h>
#include <Poco/Net/SecureStreamSocketImpl.h>
#include <Poco/Net/StreamSocketImpl.h>

#include <string>
#include <string_view>

namespace fmg::coordinator::http {

class TlsConnection : public Poco::Net::SecureStreamSocketImpl {
  public:
    /// Takes over the accepted, non-blocking `plain` socket, as the server side of a TLS
    /// handshake under `context`.
    TlsConnection(Poco::Net::StreamSocketImpl* plain, Poco::Net::Context::Ptr context);

    enum class Progress { done, waiting, failed };

    /// Goes on with the handshake as far as what arrived allows; `failed` for a client that
    /// does not speak TLS or whose handshake breaks (the caller closes it).
    Progress handshake();

    /// Appends what arrived to `into`, up to `limit` bytes in all, without blocking:
    /// `waiting` when there is no more for now (or `limit` was reached), `done` when the
    /// client closed its sending side, `failed` on an error.
    Progress read_available(std::string& into, size_t limit);

    /// Writes `bytes` without blocking, as far as the socket takes them (the gate's own short
    /// answers). Never throws.
    void send_now(std::string_view bytes);

    /// The bytes the gate read: what the worker reads first.
    void put_back(std::string bytes);

    // What Poco's HTTP server calls: the bytes put back come first.
    int receiveBytes(void* buffer, int length, int flags = 0) override;
    int available() override;
    bool poll(const Poco::Timespan& timeout, int mode) override;
    /// Sets the mode on the plain socket too: Poco's TLS layer asks the plain socket whether
    /// to wait (blocking, the worker) or to answer "want read" (the gate).
    void setBlocking(bool flag) override;

  private:
    Poco::Net::StreamSocketImpl* plain_;  // owned by the TLS layer
    std::string put_back_;
    size_t put_back_offset_ = 0;
};

}  // namespace fmg::coordinator::http
