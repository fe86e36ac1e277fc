#pragma once
// The TLS server context of --tls-cert/--tls-key (docs/security.md "TLS").

#include <Poco/Net/Context.h>

#include <string>

namespace fmg::coordinator {

/// TLS 1.2 and up with OpenSSL's strong ciphers ("HIGH:!aNULL:!MD5"), no client
/// certificates. Throws std::runtime_error naming both files when the certificate or the key
/// does not load, or they do not match.
Poco::Net::Context::Ptr tls_server_context(const std::string& certificate_file,
                                           const std::string& key_file);

}  // namespace fmg::coordinator
