#pragma once
// The libgit2 callbacks of every connection fmg makes to a remote: credentials (see
// credentials.h) and host key verification for ssh (see known_hosts.h).

#include <git2.h>

#include "shared/git/credentials.h"
#include "shared/git/fetch_observer.h"

namespace fmg::git {

/// What the callbacks of one connection share (libgit2 gives them a single payload).
struct RemoteSession {
    CredentialAttempts offered;
    int ssh_port = 22;  ///< the port of the URL, to look `[host]:port` up in known_hosts
    FetchObserver* observer = nullptr;  ///< told of the transfer's progress, when set
};

/// Points `callbacks` at acquire_credential and check_certificate, with `session` as their
/// payload; `session` must outlive the connection.
void install_remote_callbacks(git_remote_callbacks& callbacks, RemoteSession& session);

/// A git_transport_certificate_check_cb (payload: RemoteSession). An ssh host key is
/// accepted only when known_hosts lists it for the host; otherwise the connection fails
/// with GIT_ECERTIFICATE and a message saying how to add the host. Other certificates
/// (https) keep libgit2's own verification (GIT_PASSTHROUGH).
int check_certificate(git_cert* cert, int valid, const char* host, void* payload);

}  // namespace fmg::git
