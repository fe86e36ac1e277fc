#pragma once
// API tokens (docs/security.md "People and tokens"): named operations on the api_tokens table.
// A token is shown once, when it is created; the table keeps only its SHA-256 digest, so a
// copy of the database (or of a backup) gives nobody a way in.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "coordinator/access/roles.h"
#include "coordinator/store/database.h"

namespace fmg::coordinator::tokens {

struct TokenRow {
    int64_t id = 0;
    std::string name;
    Role role = Role::viewer;
    int64_t created_at = 0;
    std::string created_by;
    std::optional<int64_t> last_used_at;
    std::optional<int64_t> revoked_at;
};

/// A token just created: its record and the token itself, which exists nowhere else.
struct Issued {
    TokenRow row;
    std::string token;
};

/// The rule for a token's name: 1 to 64 characters of letters, digits and `._@-`, so it
/// prints safely in lists and the audit log. nullopt when `name` follows it, else why not.
std::optional<std::string> name_problem(std::string_view name);

/// A fresh token: "fmg_" and 64 hex digits from the OpenSSL CSPRNG (256 bits).
std::string new_token();

/// Creates a token with a fresh value. `created_by`: the creating token's name.
Issued create(Database& db, const std::string& name, Role role, const std::string& created_by,
              int64_t now);

/// Records `token` (a value made elsewhere: the admin token of a data dir from before
/// tokens were stored) under `name`.
TokenRow record(Database& db, std::string_view token, const std::string& name, Role role,
                const std::string& created_by, int64_t now);

/// The unrevoked token whose value is `token`, or nullopt. The lookup goes by the value's
/// SHA-256 digest, and the stored digest is compared with it in constant time once found:
/// the time taken tells nothing about the value (an attacker cannot choose digests). Notes
/// the use, at most once a minute per token (a write on every request would be one SQLite
/// write per GET).
std::optional<TokenRow> authenticate(Database& db, std::string_view token, int64_t now);

/// Every token, revoked ones too, oldest first.
std::vector<TokenRow> all(Database& db);

std::optional<TokenRow> find(Database& db, int64_t id);

enum class Revoked { revoked, already, not_found, last_admin };

/// Revokes token `id`: it authenticates nothing from now on. The last unrevoked admin token
/// is never revoked (nobody could manage the installation after it): `last_admin`.
Revoked revoke(Database& db, int64_t id, int64_t now);

/// Whether any unrevoked admin token exists.
bool has_active_admin(Database& db);

/// How many tokens were ever recorded (revoked ones too).
int64_t count(Database& db);

}  // namespace fmg::coordinator::tokens
