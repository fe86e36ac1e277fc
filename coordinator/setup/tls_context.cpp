#include "coordinator/setup/tls_context.h"

#include <stdexcept>

namespace fmg::coordinator {

Poco::Net::Context::Ptr tls_server_context(const std::string& certificate_file,
                                           const std::string& key_file) {
    try {
        Poco::Net::Context::Ptr context = new Poco::Net::Context(
            Poco::Net::Context::TLS_SERVER_USE, key_file, certificate_file, "",
            Poco::Net::Context::VERIFY_NONE, 9, false, "HIGH:!aNULL:!MD5");
        context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
        return context;
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("--tls-cert " + certificate_file + " / --tls-key " + key_file +
                                 ": " + e.displayText());
    }
}

}  // namespace fmg::coordinator
