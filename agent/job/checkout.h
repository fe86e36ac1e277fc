#pragma once
// The checkout step, run in a process of its own: fmg-checkout (agent/checkout/main.cpp), a
// helper installed beside fmg-agent or in LIBEXECDIR/fmg, fetches the commit into the mirror
// cache when it is missing and checks it out into the job's workspace. libgit2 and what it
// loads (OpenSSL, libssh2, mbedTLS, Kerberos: ~5 MiB resident once initialised) live only in
// that short-lived process, so a waiting agent never maps them (docs/performance.md, idle),
// and a cancelled job's checkout can be stopped at once by killing it.

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "agent/executor/child_process.h"
#include "shared/result.h"

namespace fmg::agent {

/// The helper's file name.
inline constexpr const char* kCheckoutProgramName = "fmg-checkout";

/// Where the helper is (find_helper_program). Fails saying where it looked.
Result<std::filesystem::path> find_checkout_program();

struct CheckoutRequest {
    std::filesystem::path program;  // find_checkout_program()
    std::filesystem::path mirrors_dir;
    std::string url;  // may hold credentials: given on the helper's stdin, never in its argv
    std::string sha;
    std::filesystem::path destination;  // must not exist, or be an empty directory
};

/// One checkout, which another thread may cancel.
class Checkout {
  public:
    /// Runs the helper to its end. Fails with the helper's reason (e.g. "fetch URL: ..."),
    /// with "cancelled" after cancel(), or saying how the helper ended unexpectedly.
    Status run(const CheckoutRequest& request);
    /// Kills a running helper (its run() fails with "cancelled"), and makes a later run() fail
    /// at once. Thread-safe, idempotent.
    void cancel();

  private:
    std::mutex mutex_;
    bool cancelled_ = false;              // guarded by mutex_
    std::optional<ChildProcess> helper_;  // guarded by mutex_ while it may be signalled
};

}  // namespace fmg::agent
