#include "coordinator/setup/identity.h"

#include <sys/stat.h>

#include <sstream>
#include <stdexcept>

#include "coordinator/setup/private_file.h"
#include "shared/log.h"
#include "shared/text.h"

namespace fmg::coordinator {
namespace fs = std::filesystem;

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
        write_private_file(key_file,
                           "public: " + keys.public_hex + "\nsecret: " + keys.secret_hex + "\n");
        FMG_LOG(info) << "created CURVE server key pair in " << key_file.string();
    }
    std::istringstream lines(read_whole_file(key_file));
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

    return identity;
}

}  // namespace fmg::coordinator
