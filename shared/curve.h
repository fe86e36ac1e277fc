#pragma once
// CURVE key pairs for ZeroMQ, kept as lower-case hex (64 characters for 32 bytes) in files
// and the database, and handed to libzmq as the raw 32 bytes.

#include <optional>
#include <string>
#include <string_view>

namespace fmg::curve {

struct KeyPair {
    std::string public_hex;
    std::string secret_hex;
};

/// A fresh key pair from libzmq (zmq_curve_keypair). Throws when libzmq lacks CURVE.
KeyPair generate();

/// The 32 raw bytes of a hex key; nullopt unless `hex` is exactly 64 hex digits.
std::optional<std::string> to_binary(std::string_view hex);

/// Whether `hex` is a well-formed key (64 hex digits).
bool valid_hex_key(std::string_view hex);

}  // namespace fmg::curve
