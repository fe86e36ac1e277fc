#include "coordinator/store/session_store.h"

#include "shared/crypto.h"

namespace fmg::coordinator::sessions {

Started start(Database& db, int64_t token_id, int64_t now) {
    Started started{crypto::random_hex(32), crypto::random_hex(32)};
    db.transaction([&] {
        db.prepare("DELETE FROM web_sessions WHERE expires_at <= ?").bind(1, now).run();
        db.prepare(
              "INSERT INTO web_sessions (digest, token_id, csrf, created_at, expires_at) "
              "VALUES (?, ?, ?, ?, ?)")
            .bind(1, crypto::sha256_hex(started.cookie))
            .bind(2, token_id)
            .bind(3, started.csrf)
            .bind(4, now)
            .bind(5, now + kSessionLifetimeMs)
            .run();
    });
    return started;
}

std::optional<Session> find(Database& db, std::string_view cookie, int64_t now) {
    const std::string digest = crypto::sha256_hex(cookie);
    auto query = db.prepare(
        "SELECT s.token_id, t.name, t.role, s.csrf, s.digest FROM web_sessions s "
        "JOIN api_tokens t ON t.id = s.token_id "
        "WHERE s.digest = ? AND s.expires_at > ? AND t.revoked_at IS NULL");
    query.bind(1, digest).bind(2, now);
    if (!query.step()) return std::nullopt;
    // The look-up is by digest; the compare that decides is constant-time (as for tokens).
    if (!crypto::constant_time_equals(query.text(4), digest)) return std::nullopt;
    auto role = parse_role(query.text(2));
    if (!role) return std::nullopt;
    return Session{query.integer(0), query.text(1), *role, query.text(3)};
}

void end(Database& db, std::string_view cookie) {
    db.prepare("DELETE FROM web_sessions WHERE digest = ?")
        .bind(1, crypto::sha256_hex(cookie))
        .run();
}

}  // namespace fmg::coordinator::sessions
