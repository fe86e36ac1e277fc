#pragma once
// HTTP or HTTPS client sessions for a URL, for every fmg client of an HTTP API (the CLI
// talking to the coordinator, the coordinator talking to GitHub).

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/URI.h>

#include <memory>

namespace fmg {

/// A session to the URI's host and port: HTTPS (server certificate checked against the
/// system's CA store) for `https`, plain HTTP otherwise. Throws Poco::Exception when TLS
/// cannot be set up.
std::unique_ptr<Poco::Net::HTTPClientSession> open_http_session(const Poco::URI& uri);

}  // namespace fmg
