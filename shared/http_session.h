#pragma once
// HTTP or HTTPS client sessions for a URL, for every fmg client of an HTTP API (the CLI
// talking to the coordinator, the coordinator talking to GitHub).

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/URI.h>

#include <memory>
#include <string>

namespace fmg {

/// How an https server's certificate is checked.
struct TlsTrust {
    /// A PEM file of the CAs to trust instead of the system's store (a coordinator with a
    /// certificate of its own CA, or a self-signed one); empty: the system's store.
    std::string ca_file;
    /// Take any certificate (no check at all): for a first look at a test installation only.
    bool skip_verify = false;
};

/// A session to the URI's host and port: HTTPS for `https` (the server's certificate checked
/// as `trust` says: its chain, and its name unless the host is a loopback address), plain
/// HTTP otherwise. Throws Poco::Exception when TLS cannot be set up (a CA file that does not
/// load, say).
std::unique_ptr<Poco::Net::HTTPClientSession> open_http_session(const Poco::URI& uri,
                                                                const TlsTrust& trust = {});

}  // namespace fmg
