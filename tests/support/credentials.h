#pragma once
// Agent credentials files (what `fmg configure add-runner` prints) and CURVE key pairs, so a
// test can present an agent with keys the coordinator never registered.

#include <filesystem>
#include <map>
#include <string>

namespace fmg::testing {

/// A CURVE (Curve25519) key pair, each key 32 bytes as 64 lower-case hex digits.
struct CurveKeyPair {
    std::string public_hex;
    std::string secret_hex;
};

/// A fresh key pair, the same kind zmq_curve_keypair makes (X25519: the public key is the
/// base point multiplied by the secret), generated with OpenSSL. Throws on RNG failure.
CurveKeyPair generate_curve_keypair();

/// The public key that belongs to a secret key (hex in, hex out); empty when `secret_hex` is
/// not 64 hex digits.
std::string curve_public_key_of(const std::string& secret_hex);

/// The `key: value` entries of a credentials file (a list or map value as its YAML text);
/// fails the test when the file is not a YAML map.
std::map<std::string, std::string> read_credentials(const std::filesystem::path& file);

/// Rewrites `public_key` and `secret_key` in a credentials file, keeping everything else (the
/// runner id, host, coordinator endpoint and server key). Fails the test when either line is
/// missing.
void replace_credentials_keys(const std::filesystem::path& file, const CurveKeyPair& keys);

}  // namespace fmg::testing
