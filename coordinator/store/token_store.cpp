#include "coordinator/store/token_store.h"

#include "shared/crypto.h"

namespace fmg::coordinator::tokens {
namespace {

constexpr size_t kMaxNameBytes = 64;
/// A token's last use is noted at most this often.
constexpr int64_t kLastUseResolutionMs = 60'000;

constexpr std::string_view kColumns =
    "id, name, role, created_at, created_by, last_used_at, revoked_at";

TokenRow read_row(const Statement& row) {
    TokenRow token;
    token.id = row.integer(0);
    token.name = row.text(1);
    token.role = parse_role(row.text(2)).value_or(Role::viewer);
    token.created_at = row.integer(3);
    token.created_by = row.text(4);
    token.last_used_at = row.optional_integer(5);
    token.revoked_at = row.optional_integer(6);
    return token;
}

std::string select(std::string_view where) {
    return "SELECT " + std::string(kColumns) + " FROM api_tokens " + std::string(where);
}

}  // namespace

std::optional<std::string> name_problem(std::string_view name) {
    if (name.empty()) return "a token's name must not be empty";
    if (name.size() > kMaxNameBytes) {
        return "a token's name has at most " + std::to_string(kMaxNameBytes) + " characters";
    }
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '@' || c == '-';
        if (!ok) return "a token's name may have only letters, digits and . _ @ -";
    }
    return std::nullopt;
}

std::string new_token() {
    return "fmg_" + crypto::random_hex(32);
}

TokenRow record(Database& db, std::string_view token, const std::string& name, Role role,
                const std::string& created_by, int64_t now) {
    db.prepare(
          "INSERT INTO api_tokens (name, role, digest, created_at, created_by) "
          "VALUES (?, ?, ?, ?, ?)")
        .bind(1, name)
        .bind(2, role_name(role))
        .bind(3, crypto::sha256_hex(token))
        .bind(4, now)
        .bind(5, created_by)
        .run();
    TokenRow row;
    row.id = db.last_insert_id();
    row.name = name;
    row.role = role;
    row.created_at = now;
    row.created_by = created_by;
    return row;
}

Issued create(Database& db, const std::string& name, Role role, const std::string& created_by,
              int64_t now) {
    Issued issued;
    issued.token = new_token();
    issued.row = record(db, issued.token, name, role, created_by, now);
    return issued;
}

std::optional<TokenRow> authenticate(Database& db, std::string_view token, int64_t now) {
    const std::string digest = crypto::sha256_hex(token);
    std::optional<TokenRow> found;
    {
        auto statement =
            db.prepare("SELECT " + std::string(kColumns) +
                       ", digest FROM api_tokens WHERE digest = ? AND revoked_at IS NULL");
        statement.bind(1, digest);
        if (!statement.step()) return std::nullopt;
        if (!crypto::constant_time_equals(statement.text(7), digest)) return std::nullopt;
        found = read_row(statement);
    }
    if (!found->last_used_at || now - *found->last_used_at >= kLastUseResolutionMs) {
        db.prepare("UPDATE api_tokens SET last_used_at = ? WHERE id = ?")
            .bind(1, now)
            .bind(2, found->id)
            .run();
        found->last_used_at = now;
    }
    return found;
}

std::vector<TokenRow> all(Database& db) {
    std::vector<TokenRow> rows;
    auto query = db.prepare(select("ORDER BY id"));
    while (query.step()) rows.push_back(read_row(query));
    return rows;
}

std::optional<TokenRow> find(Database& db, int64_t id) {
    auto query = db.prepare(select("WHERE id = ?"));
    query.bind(1, id);
    if (!query.step()) return std::nullopt;
    return read_row(query);
}

Revoked revoke(Database& db, int64_t id, int64_t now) {
    return db.transaction([&] {
        auto token = find(db, id);
        if (!token) return Revoked::not_found;
        if (token->revoked_at) return Revoked::already;
        if (token->role == Role::admin) {
            auto others = db.prepare(
                "SELECT COUNT(*) FROM api_tokens WHERE role = 'admin' AND revoked_at IS NULL "
                "AND id != ?");
            others.bind(1, id);
            others.step();
            if (others.integer(0) == 0) return Revoked::last_admin;
        }
        db.prepare("UPDATE api_tokens SET revoked_at = ? WHERE id = ?")
            .bind(1, now)
            .bind(2, id)
            .run();
        return Revoked::revoked;
    });
}

bool has_active_admin(Database& db) {
    auto query = db.prepare(
        "SELECT EXISTS (SELECT 1 FROM api_tokens WHERE role = 'admin' AND revoked_at IS NULL)");
    query.step();
    return query.integer(0) != 0;
}

int64_t count(Database& db) {
    auto query = db.prepare("SELECT COUNT(*) FROM api_tokens");
    query.step();
    return query.integer(0);
}

}  // namespace fmg::coordinator::tokens
