#pragma once
// The dashboard's sessions (docs/dashboard.md "Access"): named operations on web_sessions.
// A session is started by a login with an API token and acts with that token's name and role;
// a revoked token ends its sessions at once (every look-up checks it).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "coordinator/access/roles.h"
#include "coordinator/store/database.h"

namespace fmg::coordinator::sessions {

/// How long a session lasts after its login.
inline constexpr int64_t kSessionLifetimeMs = 12LL * 60 * 60 * 1000;

/// A session just started: the cookie's value (which exists nowhere else) and the value its
/// forms carry against cross-site requests.
struct Started {
    std::string cookie;
    std::string csrf;
};

/// Starts a session for token `token_id`, and removes the expired ones.
Started start(Database& db, int64_t token_id, int64_t now);

/// A live session: the token it acts as.
struct Session {
    int64_t token_id = 0;
    std::string token_name;
    Role role = Role::viewer;
    std::string csrf;
};

/// The session `cookie` names: nullopt when there is none, it has expired, or its token was
/// revoked. Compared by digest.
std::optional<Session> find(Database& db, std::string_view cookie, int64_t now);

/// Ends the session `cookie` names (nothing when there is none).
void end(Database& db, std::string_view cookie);

}  // namespace fmg::coordinator::sessions
