#include "shared/http_session.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPSClientSession.h>

namespace fmg {

namespace {

using Poco::Net::Context;

Context::Ptr client_context(const TlsTrust& trust) {
    if (trust.skip_verify) {
        return new Context(Context::TLS_CLIENT_USE, "", "", "", Context::VERIFY_NONE, 9, false);
    }
    if (!trust.ca_file.empty()) {
        // Only this CA file: the system's store is not loaded beside it.
        return new Context(Context::TLS_CLIENT_USE, "", "", trust.ca_file, Context::VERIFY_RELAXED,
                           9, false);
    }
    // One context with the system's CA store for the process: the store is loaded once.
    static const Context::Ptr system_store =
        new Context(Context::TLS_CLIENT_USE, "", "", "", Context::VERIFY_RELAXED, 9, true);
    return system_store;
}

}  // namespace

std::unique_ptr<Poco::Net::HTTPClientSession> open_http_session(const Poco::URI& uri,
                                                                const TlsTrust& trust) {
    if (uri.getScheme() == "https") {
        return std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(),
                                                               client_context(trust));
    }
    return std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
}

}  // namespace fmg
