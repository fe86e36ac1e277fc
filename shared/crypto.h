#pragma once
// Hashes, MACs and random tokens through OpenSSL.

#include <openssl/types.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fmg::crypto {

/// A SHA-256 digest or HMAC-SHA256 tag.
using Sha256Digest = std::array<uint8_t, 32>;

/// Lower-case hex of the bytes.
std::string to_hex(std::string_view bytes);

/// The bytes of lower- or upper-case hex; nullopt for an odd length or a non-hex character.
std::optional<std::string> from_hex(std::string_view hex);

/// Standard base64 (RFC 4648, with padding) of the bytes, by OpenSSL's EVP_EncodeBlock.
std::string base64_encode(std::string_view bytes);

/// The bytes of standard base64 (RFC 4648, padded or not), by OpenSSL's EVP_DecodeBlock;
/// nullopt for a character outside the alphabet or a length no encoding has.
std::optional<std::string> base64_decode(std::string_view text);

/// Lower-case hex SHA-256 of the data.
std::string sha256_hex(std::string_view data);

/// The 16 bytes of the MD5 digest of the data. Only for what names a thing by its MD5 (an SSH
/// key's legacy fingerprint), never to protect anything.
std::string md5_bytes(std::string_view data);

/// SHA-256 of data fed in pieces (OpenSSL EVP_Digest*), for files too large to hold: blobs
/// hashed while they stream in or out. Move-only.
class Sha256 {
  public:
    /// Throws std::runtime_error when OpenSSL cannot set up SHA-256.
    Sha256();
    ~Sha256();
    Sha256(Sha256&& other) noexcept;
    Sha256& operator=(Sha256&& other) noexcept;
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    /// Adds the next piece. Throws std::runtime_error when OpenSSL fails or after finish_hex().
    void update(std::string_view piece);
    /// Lower-case hex of the digest of everything fed; no more pieces afterwards.
    std::string finish_hex();
    /// The digest's 32 bytes, as finish_hex() but raw.
    std::string finish_bytes();

  private:
    EVP_MD_CTX* context_ = nullptr;
};

/// HMAC-SHA256 computed over a message fed in pieces (OpenSSL 3 EVP_MAC), so a large body can
/// be authenticated while it streams in, without holding it twice. Feeding the pieces of a
/// message in any split gives the same tag as feeding it whole. Move-only.
class HmacSha256 {
  public:
    /// Starts a MAC under `key` (an empty key is allowed). Throws std::runtime_error when
    /// OpenSSL cannot set up HMAC-SHA256.
    explicit HmacSha256(std::string_view key);
    ~HmacSha256();
    HmacSha256(HmacSha256&& other) noexcept;
    HmacSha256& operator=(HmacSha256&& other) noexcept;
    HmacSha256(const HmacSha256&) = delete;
    HmacSha256& operator=(const HmacSha256&) = delete;

    /// Adds the next piece of the message. Throws std::runtime_error when OpenSSL fails or
    /// after finish().
    void update(std::string_view piece);
    /// The tag of everything fed so far; the object can take no more pieces afterwards.
    /// Throws std::runtime_error when OpenSSL fails or when called twice.
    Sha256Digest finish();

  private:
    EVP_MAC_CTX* context_ = nullptr;
};

/// Lower-case hex HMAC-SHA256 of the message under the key (what GitHub puts after
/// `sha256=` in X-Hub-Signature-256).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

/// Compares two strings in time that depends only on their lengths, not their contents.
bool constant_time_equals(std::string_view a, std::string_view b);

/// Compares two digests in constant time (CRYPTO_memcmp).
bool digests_equal(const Sha256Digest& a, const Sha256Digest& b);

/// `bytes` bytes from the OpenSSL CSPRNG, as lower-case hex. Throws when the RNG fails.
std::string random_hex(size_t bytes);

/// The tag in a GitHub `X-Hub-Signature-256` header value: exactly `sha256=` followed by 64
/// hex digits (either case). nullopt for anything else (missing prefix, another algorithm,
/// wrong length, a non-hex character), so a malformed header can be refused before the body
/// is read.
std::optional<Sha256Digest> parse_github_signature(std::string_view header_value);

/// Checks a GitHub `X-Hub-Signature-256` header value (`sha256=HEX`) against the body: false
/// for an empty secret, a malformed header or a tag that does not match.
bool github_signature_valid(std::string_view secret, std::string_view body,
                            std::string_view header_value);

}  // namespace fmg::crypto
