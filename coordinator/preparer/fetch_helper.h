#pragma once
// Repository fetches with deadlines: the coordinator fetches through fmg-fetch
// (coordinator/fetch/main.cpp), a helper process it kills when the server is silent too long.
// libgit2 1.5 has no network timeouts, and neither a progress callback (never called while the
// server sends nothing) nor a socket option (libgit2 opens its sockets itself, and its ssh
// transport reads the socket through libssh2) bounds a server that accepts the connection and
// then says nothing; killing the process bounds every transport, DNS and TLS included, and the
// mirror's lock (an flock) is released with it.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "shared/result.h"

namespace fmg::coordinator {

/// The helper's file name.
inline constexpr const char* kFetchProgramName = "fmg-fetch";

/// Where the helper is (find_helper_program). Fails saying where it looked.
Result<std::filesystem::path> find_fetch_program();

struct FetchRequest {
    std::filesystem::path program;  // find_fetch_program()
    std::filesystem::path mirrors_dir;
    std::string url;  // may hold credentials: given on the helper's stdin, never in its argv
    /// Hosts the git token may go to (FMG_GIT_TOKEN_HOSTS for the helper, unless the
    /// coordinator's own environment sets it).
    std::vector<std::string> token_hosts;
    /// How long the server may take to answer, and then stay silent during the transfer.
    std::chrono::milliseconds timeout{60'000};
    /// The longest the whole fetch may take.
    std::chrono::milliseconds max_duration{30 * 60'000};
};

/// Fetches the mirror of `request.url` in the helper, waiting at most as the request allows.
/// A local repository (file://, an absolute path) has no server to wait for: it is fetched
/// in this process, without deadlines, as the helper's start would cost more than its fetch.
/// Fails with the helper's reason ("fetch URL: ..."), with "fetch URL: the server did not
/// answer within N ms (--fetch-timeout)" or "... sent nothing for N ms ..." or "... took
/// longer than N min" when it was killed at a deadline, with "fetch URL: stopped" when
/// `stopping` became true meanwhile (checked every few hundred ms), or saying how the helper
/// ended unexpectedly.
Status fetch_with_deadlines(const FetchRequest& request, const std::atomic<bool>& stopping);

}  // namespace fmg::coordinator
