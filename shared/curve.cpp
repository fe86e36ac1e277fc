#include "shared/curve.h"

#include <zmq.h>

#include <stdexcept>

#include "shared/crypto.h"

namespace fmg::curve {
namespace {
std::string z85_to_hex(const char* z85) {
    uint8_t raw[32];
    if (zmq_z85_decode(raw, z85) == nullptr) throw std::runtime_error("bad Z85 key from libzmq");
    return crypto::to_hex(std::string_view(reinterpret_cast<char*>(raw), sizeof raw));
}
}  // namespace

KeyPair generate() {
    char public_z85[41];
    char secret_z85[41];
    if (zmq_curve_keypair(public_z85, secret_z85) != 0) {
        throw std::runtime_error(std::string("zmq_curve_keypair: ") + zmq_strerror(zmq_errno()));
    }
    return {z85_to_hex(public_z85), z85_to_hex(secret_z85)};
}

std::optional<std::string> to_binary(std::string_view hex) {
    if (hex.size() != 64) return std::nullopt;
    return crypto::from_hex(hex);
}

bool valid_hex_key(std::string_view hex) {
    return to_binary(hex).has_value();
}

}  // namespace fmg::curve
