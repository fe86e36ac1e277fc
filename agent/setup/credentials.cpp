#include "agent/setup/credentials.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "shared/curve.h"

namespace fmg::agent {
namespace {

std::string octal_mode(mode_t mode) {
    char text[8];
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
    return text;
}

// Closes the descriptor on every path.
struct FileDescriptor {
    int fd;
    ~FileDescriptor() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

Status check_credentials_access(const std::filesystem::path& file, const struct stat& status,
                                uid_t agent_uid) {
    const std::string name = file.string();
    if (!S_ISREG(status.st_mode)) return Error{"credentials file " + name + " is not a file"};
    if ((status.st_mode & kCredentialsOthersModeBits) != 0) {
        return Error{"credentials file " + name + " is open to other users (mode " +
                     octal_mode(status.st_mode) + "): run 'chmod 600 " + name +
                     "'; whoever reads it can run jobs as this runner"};
    }
    if (status.st_uid == agent_uid) return {};
    const mode_t permissions = status.st_mode & 07777;
    if (status.st_uid == 0 && (permissions == 0600 || permissions == 0400)) return {};
    return Error{"credentials file " + name + " is owned by uid " + std::to_string(status.st_uid) +
                 ", not by the agent's user (uid " + std::to_string(agent_uid) + "): run 'chown " +
                 std::to_string(agent_uid) + " " + name + "' and 'chmod 600 " + name + "'"};
}

Result<Credentials> load_credentials(const std::filesystem::path& file) {
    // One descriptor for the check and the read: the file checked is the file read.
    FileDescriptor input{::open(file.c_str(), O_RDONLY | O_CLOEXEC)};
    struct stat status {};
    if (input.fd < 0 || ::fstat(input.fd, &status) != 0) {
        return Error{"cannot read credentials file " + file.string() + " (" + std::strerror(errno) +
                     "; create it with 'fmg configure add-runner HOST > FILE')"};
    }
    if (Status allowed = check_credentials_access(file, status, ::geteuid()); !allowed) {
        return allowed.error();
    }
    if (status.st_size > static_cast<off_t>(kMaxCredentialsFileBytes)) {
        return Error{file.string() + ": not a credentials file (over " +
                     std::to_string(kMaxCredentialsFileBytes) + " bytes)"};
    }
    std::string contents;
    char buffer[4096];
    for (;;) {
        ssize_t n = ::read(input.fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            return Error{"cannot read credentials file " + file.string() + ": " +
                         std::strerror(errno)};
        }
        if (n == 0) break;
        contents.append(buffer, static_cast<size_t>(n));
        if (contents.size() > kMaxCredentialsFileBytes) {
            return Error{file.string() + ": not a credentials file (over " +
                         std::to_string(kMaxCredentialsFileBytes) + " bytes)"};
        }
    }
    YAML::Node root;
    try {
        root = YAML::Load(contents);
    } catch (const YAML::Exception& e) {
        return Error{file.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg};
    }
    if (!root.IsMap()) return Error{file.string() + ": not a credentials file"};
    Credentials c;
    auto text = [&](const char* key) -> std::string {
        return root[key] && root[key].IsScalar() ? root[key].as<std::string>() : std::string();
    };
    c.host = text("host");
    c.coordinator = text("coordinator");
    c.server_public_key = text("server_public_key");
    c.public_key = text("public_key");
    c.secret_key = text("secret_key");
    try {
        c.runner_id = root["runner_id"] ? root["runner_id"].as<int64_t>() : 0;
        c.capacity = root["capacity"] ? root["capacity"].as<uint32_t>() : 0;
        if (root["labels"] && root["labels"].IsSequence()) {
            for (const auto& label : root["labels"]) c.labels.push_back(label.as<std::string>());
        }
    } catch (const YAML::Exception&) {
        return Error{file.string() + ": runner_id and capacity must be integers, labels a list"};
    }
    for (auto [key, value] :
         {std::pair{"server_public_key", c.server_public_key},
          std::pair{"public_key", c.public_key}, std::pair{"secret_key", c.secret_key}}) {
        if (!curve::valid_hex_key(value)) {
            return Error{file.string() + ": '" + key + "' must be 64 hex digits"};
        }
    }
    return c;
}

}  // namespace fmg::agent
