#include "coordinator/setup/identity.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "shared/crypto.h"
#include "shared/log.h"
#include "shared/text.h"

namespace fmg::coordinator {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

/// Writes a secret file readable by its owner only, atomically (temp file + rename).
void write_secret_file(const fs::path& path, const std::string& content) {
    fs::path temp = path;
    temp += ".tmp";
    {
        std::ofstream out(temp, std::ios::trunc);
        if (!out) throw std::runtime_error("cannot write " + temp.string());
        ::chmod(temp.c_str(), 0600);
        out << content;
        if (!out.flush()) throw std::runtime_error("cannot write " + temp.string());
    }
    fs::rename(temp, path);
}

}  // namespace

Identity load_or_create_identity(const fs::path& data_dir) {
    std::error_code ec;
    fs::create_directories(data_dir, ec);
    if (ec)
        throw std::runtime_error("cannot create data dir " + data_dir.string() + ": " +
                                 ec.message());
    ::chmod(data_dir.c_str(), 0700);

    Identity identity;
    fs::path key_file = data_dir / "curve_server.key";
    if (!fs::exists(key_file)) {
        curve::KeyPair keys = curve::generate();
        write_secret_file(key_file,
                          "public: " + keys.public_hex + "\nsecret: " + keys.secret_hex + "\n");
        FMG_LOG(info) << "created CURVE server key pair in " << key_file.string();
    }
    std::istringstream lines(read_file(key_file));
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind("public: ", 0) == 0) identity.server_keys.public_hex = line.substr(8);
        if (line.rfind("secret: ", 0) == 0) identity.server_keys.secret_hex = line.substr(8);
    }
    if (!curve::valid_hex_key(identity.server_keys.public_hex) ||
        !curve::valid_hex_key(identity.server_keys.secret_hex)) {
        throw std::runtime_error(key_file.string() +
                                 " is damaged: expected 'public: HEX' and "
                                 "'secret: HEX' lines of 64 hex digits");
    }

    fs::path token_file = data_dir / "admin.token";
    if (!fs::exists(token_file)) {
        write_secret_file(token_file, crypto::random_hex(32) + "\n");
        FMG_LOG(info) << "created the admin API token in " << token_file.string();
    }
    identity.admin_token = std::string(trim(read_file(token_file)));
    if (identity.admin_token.empty()) throw std::runtime_error(token_file.string() + " is empty");
    return identity;
}

}  // namespace fmg::coordinator
