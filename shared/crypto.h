#pragma once
// Hashes, MACs and random tokens through OpenSSL.

#include <string>
#include <string_view>

namespace fmg::crypto {

/// Lower-case hex of the bytes.
std::string to_hex(std::string_view bytes);

/// Lower-case hex SHA-256 of the data.
std::string sha256_hex(std::string_view data);

/// Lower-case hex HMAC-SHA256 of the message under the key (what GitHub puts after
/// `sha256=` in X-Hub-Signature-256).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

/// Compares two strings in time that depends only on their lengths, not their contents.
bool constant_time_equals(std::string_view a, std::string_view b);

/// `bytes` bytes from the OpenSSL CSPRNG, as lower-case hex. Throws when the RNG fails.
std::string random_hex(size_t bytes);

/// Checks a GitHub `X-Hub-Signature-256` header value (`sha256=HEX`) against the body.
bool github_signature_valid(std::string_view secret, std::string_view body,
                            std::string_view header_value);

}  // namespace fmg::crypto
