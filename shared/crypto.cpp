#include "shared/crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <stdexcept>
#include <string>

namespace fmg::crypto {
namespace {

/// The HMAC implementation, fetched once: EVP_MAC_fetch is costly and the object is
/// thread-safe to share (OpenSSL 3 "Fetching algorithms").
EVP_MAC* hmac_algorithm() {
    static EVP_MAC* const algorithm = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
    if (algorithm == nullptr) throw std::runtime_error("OpenSSL has no HMAC (EVP_MAC_fetch)");
    return algorithm;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::optional<std::string> from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0) return std::nullopt;
    std::string bytes(hex.size() / 2, '\0');
    for (size_t i = 0; i < bytes.size(); ++i) {
        const int high = hex_value(hex[2 * i]);
        const int low = hex_value(hex[2 * i + 1]);
        if (high < 0 || low < 0) return std::nullopt;
        bytes[i] = static_cast<char>(high * 16 + low);
    }
    return bytes;
}

std::string to_hex(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out.push_back(kDigits[c >> 4]);
        out.push_back(kDigits[c & 0x0f]);
    }
    return out;
}

std::string sha256_hex(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
    return to_hex(std::string_view(reinterpret_cast<char*>(digest), length));
}

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
    if (context_ == nullptr || EVP_DigestInit_ex(context_, EVP_sha256(), nullptr) != 1) {
        EVP_MD_CTX_free(context_);
        throw std::runtime_error("OpenSSL EVP_DigestInit_ex (SHA-256) failed");
    }
}

Sha256::~Sha256() {
    EVP_MD_CTX_free(context_);
}

Sha256::Sha256(Sha256&& other) noexcept : context_(other.context_) {
    other.context_ = nullptr;
}

Sha256& Sha256::operator=(Sha256&& other) noexcept {
    if (this != &other) {
        EVP_MD_CTX_free(context_);
        context_ = other.context_;
        other.context_ = nullptr;
    }
    return *this;
}

void Sha256::update(std::string_view piece) {
    if (context_ == nullptr) throw std::runtime_error("SHA-256 used after finish");
    if (EVP_DigestUpdate(context_, piece.data(), piece.size()) != 1) {
        throw std::runtime_error("OpenSSL EVP_DigestUpdate failed");
    }
}

std::string Sha256::finish_hex() {
    return to_hex(finish_bytes());
}

std::string Sha256::finish_bytes() {
    if (context_ == nullptr) throw std::runtime_error("SHA-256 finished twice");
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    const int done = EVP_DigestFinal_ex(context_, digest, &length);
    EVP_MD_CTX_free(context_);
    context_ = nullptr;
    if (done != 1) throw std::runtime_error("OpenSSL EVP_DigestFinal_ex failed");
    return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string base64_encode(std::string_view bytes) {
    // EVP_EncodeBlock writes 4 characters per 3 bytes (padded) and a NUL.
    std::string text(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()),
                                        reinterpret_cast<const unsigned char*>(bytes.data()),
                                        static_cast<int>(bytes.size()));
    text.resize(written < 0 ? 0 : static_cast<size_t>(written));
    return text;
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.size() % 4 == 1) return std::nullopt;
    std::string padded(text);
    while (padded.size() % 4 != 0) padded += '=';
    // Padding only at the end, at most two characters of it.
    const size_t first_pad = padded.find('=');
    if (first_pad != std::string::npos &&
        (first_pad + 2 < padded.size() ||
         padded.find_first_not_of('=', first_pad) != std::string::npos)) {
        return std::nullopt;
    }
    std::string bytes(3 * (padded.size() / 4), '\0');
    const int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(bytes.data()),
                                        reinterpret_cast<const unsigned char*>(padded.data()),
                                        static_cast<int>(padded.size()));
    if (written < 0) return std::nullopt;
    // EVP_DecodeBlock counts the padding's zero bytes in.
    size_t length = static_cast<size_t>(written);
    for (size_t i = padded.size(); i > 0 && padded[i - 1] == '=' && length > 0; --i) --length;
    bytes.resize(length);
    return bytes;
}

std::string md5_bytes(std::string_view data) {
    std::string digest(16, '\0');
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(digest.data()),
                   &length, EVP_md5(), nullptr) != 1 ||
        length != 16) {
        throw std::runtime_error("OpenSSL MD5 failed");
    }
    return digest;
}

HmacSha256::HmacSha256(std::string_view key) : context_(EVP_MAC_CTX_new(hmac_algorithm())) {
    if (context_ == nullptr) throw std::runtime_error("OpenSSL EVP_MAC_CTX_new failed");
    char digest_name[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
        OSSL_PARAM_construct_end()};
    // A null key means "keep the key already set", so an empty key still needs a pointer.
    static const unsigned char kNoKey = 0;
    const auto* key_bytes =
        key.empty() ? &kNoKey : reinterpret_cast<const unsigned char*>(key.data());
    if (EVP_MAC_init(context_, key_bytes, key.size(), params) != 1) {
        EVP_MAC_CTX_free(context_);
        throw std::runtime_error("OpenSSL EVP_MAC_init (HMAC-SHA256) failed");
    }
}

HmacSha256::~HmacSha256() {
    EVP_MAC_CTX_free(context_);
}

HmacSha256::HmacSha256(HmacSha256&& other) noexcept : context_(other.context_) {
    other.context_ = nullptr;
}

HmacSha256& HmacSha256::operator=(HmacSha256&& other) noexcept {
    if (this != &other) {
        EVP_MAC_CTX_free(context_);
        context_ = other.context_;
        other.context_ = nullptr;
    }
    return *this;
}

void HmacSha256::update(std::string_view piece) {
    if (context_ == nullptr) throw std::runtime_error("HMAC-SHA256 already finished");
    if (EVP_MAC_update(context_, reinterpret_cast<const unsigned char*>(piece.data()),
                       piece.size()) != 1) {
        throw std::runtime_error("OpenSSL EVP_MAC_update failed");
    }
}

Sha256Digest HmacSha256::finish() {
    if (context_ == nullptr) throw std::runtime_error("HMAC-SHA256 already finished");
    Sha256Digest tag{};
    size_t length = 0;
    const bool ok =
        EVP_MAC_final(context_, tag.data(), &length, tag.size()) == 1 && length == tag.size();
    EVP_MAC_CTX_free(context_);
    context_ = nullptr;
    if (!ok) throw std::runtime_error("OpenSSL EVP_MAC_final failed");
    return tag;
}

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
    HmacSha256 mac(key);
    mac.update(message);
    const Sha256Digest tag = mac.finish();
    return to_hex(std::string_view(reinterpret_cast<const char*>(tag.data()), tag.size()));
}

bool constant_time_equals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool digests_equal(const Sha256Digest& a, const Sha256Digest& b) {
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_hex(size_t bytes) {
    std::string buffer(bytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(buffer.data()), static_cast<int>(bytes)) != 1) {
        throw std::runtime_error("OpenSSL RAND_bytes failed");
    }
    return to_hex(buffer);
}

std::optional<Sha256Digest> parse_github_signature(std::string_view header_value) {
    constexpr std::string_view kPrefix = "sha256=";
    Sha256Digest tag{};
    if (header_value.size() != kPrefix.size() + 2 * tag.size() ||
        header_value.substr(0, kPrefix.size()) != kPrefix) {
        return std::nullopt;
    }
    const std::string_view hex = header_value.substr(kPrefix.size());
    for (size_t i = 0; i < tag.size(); ++i) {
        const int high = hex_value(hex[2 * i]);
        const int low = hex_value(hex[2 * i + 1]);
        if (high < 0 || low < 0) return std::nullopt;
        tag[i] = static_cast<uint8_t>(high << 4 | low);
    }
    return tag;
}

bool github_signature_valid(std::string_view secret, std::string_view body,
                            std::string_view header_value) {
    const auto expected = parse_github_signature(header_value);
    if (secret.empty() || !expected) return false;
    HmacSha256 mac(secret);
    mac.update(body);
    return digests_equal(mac.finish(), *expected);
}

}  // namespace fmg::crypto
