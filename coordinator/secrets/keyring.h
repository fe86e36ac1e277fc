#pragma once
// The key that encrypts job secrets at rest (docs/security.md "Secrets"): AES-256-GCM through
// OpenSSL's EVP API, the key in DATA_DIR/secrets.key (mode 0600), never in the database. Each
// sealed value carries the id of the key that sealed it, so the key can be rotated: a new key
// is added, every value is sealed again with it, and the old key is dropped.
//
// Thread-safe: HTTP handlers seal and open, the agent loop opens at dispatch.

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "shared/result.h"

namespace fmg::coordinator {

/// A value sealed with AES-256-GCM: the key's id, a 96-bit nonce never used twice with that
/// key (random), and the ciphertext with the 16-byte tag appended.
struct Sealed {
    int64_t key_id = 0;
    std::string nonce;
    std::string ciphertext;
};

class Keyring {
  public:
    /// Reads DATA_DIR/secrets.key, creating it with a fresh key when missing. Throws
    /// std::runtime_error with the path when it cannot be read, written or is damaged.
    explicit Keyring(std::filesystem::path data_dir);

    /// Seals `value` with the current key. `context` binds it to where it is stored (the
    /// context and the secret's name): a sealed value moved to another place does not open.
    Sealed seal(std::string_view value, std::string_view context) const;
    /// Opens a sealed value; an Error (never the value) when its key is gone, or it was
    /// altered or moved.
    Result<std::string> open(const Sealed& sealed, std::string_view context) const;

    /// The id of the key new values are sealed with.
    int64_t current_key_id() const;

    /// Rotation, step 1: adds a fresh key, which becomes the current one, and writes the file
    /// with both keys (a crash from here on leaves every value openable). Returns its id.
    int64_t add_key();
    /// Rotation, step 3 (after every value was sealed again): drops every key but the current
    /// one, and writes the file.
    void drop_old_keys();

  private:
    void write_file() const;

    std::filesystem::path file_;
    mutable std::mutex mutex_;
    std::map<int64_t, std::string> keys_;  // id -> 32 raw bytes
    int64_t current_ = 0;
};

}  // namespace fmg::coordinator
