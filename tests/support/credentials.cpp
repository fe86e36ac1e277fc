#include "tests/support/credentials.h"

#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <catch2/catch.hpp>
#include <charconv>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "tests/support/wait.h"

namespace fmg::testing {
namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
constexpr size_t kKeyBytes = 32;

std::string hex(const unsigned char* bytes, size_t size) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < size; ++i) {
        out += kDigits[bytes[i] >> 4];
        out += kDigits[bytes[i] & 0x0f];
    }
    return out;
}

std::string raw_public_hex(EVP_PKEY* key) {
    std::array<unsigned char, kKeyBytes> bytes{};
    size_t size = bytes.size();
    if (EVP_PKEY_get_raw_public_key(key, bytes.data(), &size) != 1 || size != kKeyBytes) {
        throw std::runtime_error("cannot read an X25519 public key");
    }
    return hex(bytes.data(), size);
}

bool parse_hex(const std::string& text, std::array<unsigned char, kKeyBytes>& out) {
    if (text.size() != kKeyBytes * 2) return false;
    for (size_t i = 0; i < kKeyBytes; ++i) {
        const char* first = text.data() + i * 2;
        unsigned value = 0;
        const auto [end, error] = std::from_chars(first, first + 2, value, 16);
        if (error != std::errc() || end != first + 2) return false;
        out[i] = static_cast<unsigned char>(value);
    }
    return true;
}

}  // namespace

CurveKeyPair generate_curve_keypair() {
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> context(
        EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, nullptr), EVP_PKEY_CTX_free);
    EVP_PKEY* generated = nullptr;
    if (!context || EVP_PKEY_keygen_init(context.get()) != 1 ||
        EVP_PKEY_keygen(context.get(), &generated) != 1) {
        throw std::runtime_error("X25519 key generation failed");
    }
    PkeyPtr key(generated, EVP_PKEY_free);
    std::array<unsigned char, kKeyBytes> secret{};
    size_t size = secret.size();
    if (EVP_PKEY_get_raw_private_key(key.get(), secret.data(), &size) != 1 || size != kKeyBytes) {
        throw std::runtime_error("cannot read an X25519 secret key");
    }
    return CurveKeyPair{raw_public_hex(key.get()), hex(secret.data(), size)};
}

std::string curve_public_key_of(const std::string& secret_hex) {
    std::array<unsigned char, kKeyBytes> secret{};
    if (!parse_hex(secret_hex, secret)) return {};
    PkeyPtr key(
        EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, secret.data(), secret.size()),
        EVP_PKEY_free);
    if (!key) return {};
    return raw_public_hex(key.get());
}

std::map<std::string, std::string> read_credentials(const std::filesystem::path& file) {
    const std::string text = read_file_text(file);
    std::map<std::string, std::string> entries;
    try {
        const YAML::Node root = YAML::Load(text);
        if (!root.IsMap()) FAIL(file << " is not a YAML map:\n" << text);
        for (const auto& entry : root) {
            // Lists and maps (e.g. `labels: []`) are kept as their YAML text.
            entries[entry.first.as<std::string>()] =
                entry.second.IsScalar() ? entry.second.as<std::string>() : YAML::Dump(entry.second);
        }
    } catch (const YAML::Exception& error) {
        FAIL(file << " is not valid YAML (" << error.what() << "):\n" << text);
    }
    return entries;
}

void replace_credentials_keys(const std::filesystem::path& file, const CurveKeyPair& keys) {
    std::istringstream lines(read_file_text(file));
    std::string rewritten;
    bool replaced_public = false;
    bool replaced_secret = false;
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with("public_key:")) {
            line = "public_key: " + keys.public_hex;
            replaced_public = true;
        } else if (line.starts_with("secret_key:")) {
            line = "secret_key: " + keys.secret_hex;
            replaced_secret = true;
        }
        rewritten += line + "\n";
    }
    if (!replaced_public || !replaced_secret) {
        FAIL(file << " has no public_key/secret_key lines:\n" << read_file_text(file));
    }
    std::ofstream out(file, std::ios::trunc);
    out << rewritten;
    REQUIRE(out.good());
}

}  // namespace fmg::testing
