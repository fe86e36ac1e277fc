#include "shared/git/remote_callbacks.h"

#include <string>
#include <string_view>

#include "shared/git/known_hosts.h"

namespace fmg::git {
namespace {

int session_credential(git_credential** out, const char* url, const char* username_from_url,
                       unsigned int allowed_types, void* payload) {
    auto& session = *static_cast<RemoteSession*>(payload);
    return acquire_credential(out, url, username_from_url, allowed_types, &session.offered);
}

int refuse_host(const std::string& message) {
    git_error_set_str(GIT_ERROR_SSH, message.c_str());
    return GIT_ECERTIFICATE;
}

}  // namespace

void install_remote_callbacks(git_remote_callbacks& callbacks, RemoteSession& session) {
    callbacks.credentials = session_credential;
    callbacks.certificate_check = check_certificate;
    callbacks.payload = &session;
}

int check_certificate(git_cert* cert, int /*valid*/, const char* host, void* payload) {
    if (cert == nullptr || cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2) return GIT_PASSTHROUGH;
    const auto& session = *static_cast<const RemoteSession*>(payload);
    const auto* hostkey = reinterpret_cast<const git_cert_hostkey*>(cert);
    const std::string name = host != nullptr ? host : "";
    if ((hostkey->type & GIT_CERT_SSH_RAW) == 0 || hostkey->hostkey == nullptr) {
        return refuse_host("cannot verify the ssh host key of " + name +
                           ": libssh2 did not provide it");
    }
    const std::string_view key(hostkey->hostkey, hostkey->hostkey_len);
    const std::string port_option =
        session.ssh_port == 22 ? std::string() : "-p " + std::to_string(session.ssh_port) + " ";
    switch (check_known_host_files(name, session.ssh_port, key)) {
        case HostKeyStatus::trusted:
            return 0;
        case HostKeyStatus::revoked:
            return refuse_host("the ssh host key of " + name +
                               " is marked @revoked in known_hosts");
        case HostKeyStatus::changed:
            return refuse_host("the ssh host key of " + name +
                               " does not match known_hosts: refusing to connect (the key "
                               "changed, or someone is intercepting the connection)");
        case HostKeyStatus::unknown:
            break;
    }
    return refuse_host("ssh host " + name +
                       " is not in known_hosts; after checking its fingerprint, add it with "
                       "`ssh-keyscan " +
                       port_option + name + " >> ~/.ssh/known_hosts` (or to the file in " +
                       kKnownHostsEnvironmentVariable + ")");
}

}  // namespace fmg::git
