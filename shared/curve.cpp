#include "shared/curve.h"

#include <zmq.h>

#include <stdexcept>

#include "shared/crypto.h"

namespace fmg::curve {
namespace {
int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

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
    std::string raw(32, '\0');
    for (size_t i = 0; i < 32; ++i) {
        int high = hex_value(hex[2 * i]);
        int low = hex_value(hex[2 * i + 1]);
        if (high < 0 || low < 0) return std::nullopt;
        raw[i] = static_cast<char>(high * 16 + low);
    }
    return raw;
}

bool valid_hex_key(std::string_view hex) {
    return to_binary(hex).has_value();
}

}  // namespace fmg::curve
