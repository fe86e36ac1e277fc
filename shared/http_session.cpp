#include "shared/http_session.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPSClientSession.h>

namespace fmg {

std::unique_ptr<Poco::Net::HTTPClientSession> open_http_session(const Poco::URI& uri) {
    if (uri.getScheme() == "https") {
        // One TLS client context for the process: it loads the CA store once.
        static const Poco::Net::Context::Ptr context =
            new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "",
                                   Poco::Net::Context::VERIFY_RELAXED, 9, true);
        return std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(),
                                                               context);
    }
    return std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
}

}  // namespace fmg
