#include "coordinator/secrets/keyring.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <sstream>
#include <stdexcept>

#include "coordinator/setup/private_file.h"
#include "shared/crypto.h"
#include "shared/log.h"

namespace fmg::coordinator {
namespace {

constexpr size_t kKeyBytes = 32;    // AES-256
constexpr size_t kNonceBytes = 12;  // GCM's standard nonce
constexpr size_t kTagBytes = 16;
constexpr std::string_view kFileHeader =
    "# fmg secrets key: AES-256-GCM. Keep it private, back it up with the database.";

struct CipherDeleter {
    void operator()(EVP_CIPHER_CTX* context) const { EVP_CIPHER_CTX_free(context); }
};
using Cipher = std::unique_ptr<EVP_CIPHER_CTX, CipherDeleter>;

std::string random_bytes(size_t count) {
    std::string bytes(count, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count)) != 1) {
        throw std::runtime_error("the OpenSSL random generator failed");
    }
    return bytes;
}

const unsigned char* bytes_of(std::string_view text) {
    return reinterpret_cast<const unsigned char*>(text.data());
}

}  // namespace

Keyring::Keyring(std::filesystem::path data_dir) : file_(data_dir / "secrets.key") {
    if (!std::filesystem::exists(file_)) {
        keys_[1] = random_bytes(kKeyBytes);
        current_ = 1;
        write_file();
        FMG_LOG(info) << "created the secrets key in " << file_.string();
        return;
    }
    std::istringstream lines(read_whole_file(file_));
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty() || line[0] == '#') continue;
        // "key ID HEX"; the last key listed is the current one.
        std::istringstream words(line);
        std::string word, hex;
        int64_t id = 0;
        if (!(words >> word >> id >> hex) || word != "key" || id <= 0) {
            throw std::runtime_error(file_.string() + " is damaged: expected lines 'key ID HEX'");
        }
        auto key = crypto::from_hex(hex);
        if (!key || key->size() != kKeyBytes) {
            throw std::runtime_error(file_.string() + " is damaged: key " + std::to_string(id) +
                                     " is not 64 hex digits");
        }
        keys_[id] = std::move(*key);
        current_ = id;
    }
    if (keys_.empty()) throw std::runtime_error(file_.string() + " holds no key");
}

void Keyring::write_file() const {
    std::string text = std::string(kFileHeader) + "\n";
    // The current key last: the reader takes the last one as current.
    for (const auto& [id, key] : keys_) {
        if (id != current_) text += "key " + std::to_string(id) + " " + crypto::to_hex(key) + "\n";
    }
    text += "key " + std::to_string(current_) + " " + crypto::to_hex(keys_.at(current_)) + "\n";
    write_private_file(file_, text);
}

Sealed Keyring::seal(std::string_view value, std::string_view context) const {
    std::lock_guard lock(mutex_);
    Sealed sealed;
    sealed.key_id = current_;
    sealed.nonce = random_bytes(kNonceBytes);
    const std::string& key = keys_.at(current_);
    Cipher cipher(EVP_CIPHER_CTX_new());
    int length = 0;
    sealed.ciphertext.resize(value.size() + kTagBytes);
    auto* out = reinterpret_cast<unsigned char*>(sealed.ciphertext.data());
    bool ok = cipher &&
              EVP_EncryptInit_ex(cipher.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1;
    ok = ok && EVP_CIPHER_CTX_ctrl(cipher.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1;
    ok = ok && EVP_EncryptInit_ex(cipher.get(), nullptr, nullptr, bytes_of(key),
                                  bytes_of(sealed.nonce)) == 1;
    ok = ok && EVP_EncryptUpdate(cipher.get(), nullptr, &length, bytes_of(context),
                                 static_cast<int>(context.size())) == 1;
    ok = ok && EVP_EncryptUpdate(cipher.get(), out, &length, bytes_of(value),
                                 static_cast<int>(value.size())) == 1;
    int final_length = 0;
    ok = ok && EVP_EncryptFinal_ex(cipher.get(), out + length, &final_length) == 1;
    ok = ok && EVP_CIPHER_CTX_ctrl(cipher.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                                   out + value.size()) == 1;
    if (!ok) throw std::runtime_error("OpenSSL could not encrypt with AES-256-GCM");
    return sealed;
}

Result<std::string> Keyring::open(const Sealed& sealed, std::string_view context) const {
    std::lock_guard lock(mutex_);
    auto key = keys_.find(sealed.key_id);
    if (key == keys_.end()) {
        return Error{"it was sealed with key " + std::to_string(sealed.key_id) + ", which " +
                     file_.string() + " does not hold"};
    }
    if (sealed.nonce.size() != kNonceBytes || sealed.ciphertext.size() < kTagBytes) {
        return Error{"its sealed form is damaged"};
    }
    const size_t length = sealed.ciphertext.size() - kTagBytes;
    std::string value(length, '\0');
    Cipher cipher(EVP_CIPHER_CTX_new());
    int written = 0;
    std::string tag = sealed.ciphertext.substr(length);
    auto* out = reinterpret_cast<unsigned char*>(value.data());
    bool ok = cipher &&
              EVP_DecryptInit_ex(cipher.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1;
    ok = ok && EVP_CIPHER_CTX_ctrl(cipher.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1;
    ok = ok && EVP_DecryptInit_ex(cipher.get(), nullptr, nullptr, bytes_of(key->second),
                                  bytes_of(sealed.nonce)) == 1;
    ok = ok && EVP_DecryptUpdate(cipher.get(), nullptr, &written, bytes_of(context),
                                 static_cast<int>(context.size())) == 1;
    ok = ok && EVP_DecryptUpdate(cipher.get(), out, &written, bytes_of(sealed.ciphertext),
                                 static_cast<int>(length)) == 1;
    ok = ok && EVP_CIPHER_CTX_ctrl(cipher.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1;
    int final_length = 0;
    // The tag check: fails for a wrong key, an altered ciphertext or another context.
    ok = ok && EVP_DecryptFinal_ex(cipher.get(), out + written, &final_length) == 1;
    if (!ok) {
        OPENSSL_cleanse(value.data(), value.size());
        return Error{"its sealed form does not open: altered, moved, or sealed with another key"};
    }
    return value;
}

int64_t Keyring::current_key_id() const {
    std::lock_guard lock(mutex_);
    return current_;
}

int64_t Keyring::add_key() {
    std::lock_guard lock(mutex_);
    const int64_t id = keys_.rbegin()->first + 1;
    keys_[id] = random_bytes(kKeyBytes);
    current_ = id;
    write_file();
    return id;
}

void Keyring::drop_old_keys() {
    std::lock_guard lock(mutex_);
    for (auto it = keys_.begin(); it != keys_.end();) {
        if (it->first == current_) {
            ++it;
        } else {
            OPENSSL_cleanse(it->second.data(), it->second.size());
            it = keys_.erase(it);
        }
    }
    write_file();
}

}  // namespace fmg::coordinator
