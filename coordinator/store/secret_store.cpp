#include "coordinator/store/secret_store.h"

#include <Poco/String.h>

#include <stdexcept>

#include "coordinator/github/names.h"

namespace fmg::coordinator::secrets {
namespace {

constexpr size_t kMaxContextBytes = 100;
constexpr size_t kMaxNameBytes = 128;

/// What a sealed value is bound to: its scope and name, so a row copied to another place
/// does not open there.
std::string binding(std::string_view scope, std::string_view name) {
    return std::string(scope) + '\0' + std::string(name);
}

/// The scope a row's `scope` column names.
Scope stored_scope(const std::string& column) {
    return column.find('/') == std::string::npos ? context_scope(column) : repository_scope(column);
}

/// Opens every secret stored under `scope` (the column's value) into `values`; false when
/// there is none. An Error names the secret that does not open.
Result<bool> open_all(Database& db, const Keyring& keyring, const Scope& scope,
                      std::map<std::string, std::string>& values) {
    auto query =
        db.prepare("SELECT name, key_id, nonce, sealed FROM secrets WHERE scope = ? ORDER BY name");
    query.bind(1, scope.name);
    bool any = false;
    while (query.step()) {
        any = true;
        const std::string name = query.text(0);
        auto value = keyring.open({query.integer(1), query.blob(2), query.blob(3)},
                                  binding(scope.name, name));
        if (!value) {
            return Error{"secret " + name + " of " + scope.described() +
                         " cannot be read: " + value.error().message};
        }
        values[name] = std::move(*value);
    }
    return any;
}

/// A secret that does not open during a reseal: thrown to roll the transaction back.
struct Unreadable : std::runtime_error {
    using std::runtime_error::runtime_error;
};

bool letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool digit(char c) {
    return c >= '0' && c <= '9';
}

}  // namespace

std::string Scope::described() const {
    return (kind == Kind::context ? "context " : "repository ") + name;
}

Scope context_scope(std::string name) {
    return {Scope::Kind::context, std::move(name)};
}

Scope repository_scope(std::string_view full_name) {
    return {Scope::Kind::repository, Poco::toLower(std::string(full_name))};
}

std::optional<std::string> scope_problem(const Scope& scope) {
    return scope.kind == Scope::Kind::context ? context_problem(scope.name)
                                              : github::full_name_problem(scope.name);
}

std::optional<std::string> context_problem(std::string_view name) {
    if (name.empty()) return "a context's name must not be empty";
    if (name.size() > kMaxContextBytes) {
        return "a context's name has at most " + std::to_string(kMaxContextBytes) + " characters";
    }
    for (char c : name) {
        if (!letter(c) && !digit(c) && c != '.' && c != '_' && c != '-') {
            return "a context's name may have only letters, digits and . _ -";
        }
    }
    if (name == "." || name == "..") return "a context cannot be named . or ..";
    return std::nullopt;
}

std::optional<std::string> name_problem(std::string_view name) {
    if (name.empty()) return "a secret's name must not be empty";
    if (name.size() > kMaxNameBytes) {
        return "a secret's name has at most " + std::to_string(kMaxNameBytes) + " characters";
    }
    if (digit(name[0]))
        return "a secret's name is an environment variable: it cannot start with a digit";
    for (char c : name) {
        if (!letter(c) && !digit(c) && c != '_') {
            return "a secret's name is an environment variable: letters, digits and _ only";
        }
    }
    if (name.rfind("FMG_", 0) == 0 || name.rfind("CIRCLE", 0) == 0) {
        return "names starting with FMG_ or CIRCLE are the coordinator's own variables";
    }
    return std::nullopt;
}

std::optional<std::string> value_problem(std::string_view value) {
    if (value.size() < kMinSecretBytes) {
        return "a secret's value must have at least " + std::to_string(kMinSecretBytes) +
               " characters: a shorter one would be masked in every log line that has it, and "
               "is guessed at once";
    }
    if (value.size() > kMaxSecretBytes) {
        return "a secret's value has at most " + std::to_string(kMaxSecretBytes) + " bytes";
    }
    if (value.find('\0') != std::string_view::npos) {
        return "a secret's value cannot hold a NUL byte (an environment variable cannot)";
    }
    return std::nullopt;
}

bool set(Database& db, const Keyring& keyring, const Scope& scope, const std::string& name,
         std::string_view value, const std::string& by, int64_t now) {
    const Sealed sealed = keyring.seal(value, binding(scope.name, name));
    return db.transaction([&] {
        db.prepare(
              "UPDATE secrets SET key_id = ?, nonce = ?, sealed = ?, updated_at = ?, "
              "updated_by = ? WHERE scope = ? AND name = ?")
            .bind(1, sealed.key_id)
            .bind_blob(2, sealed.nonce)
            .bind_blob(3, sealed.ciphertext)
            .bind(4, now)
            .bind(5, by)
            .bind(6, scope.name)
            .bind(7, name)
            .run();
        if (db.changes() > 0) return false;
        db.prepare(
              "INSERT INTO secrets (scope, name, key_id, nonce, sealed, created_at, updated_at, "
              "updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(1, scope.name)
            .bind(2, name)
            .bind(3, sealed.key_id)
            .bind_blob(4, sealed.nonce)
            .bind_blob(5, sealed.ciphertext)
            .bind(6, now)
            .bind(7, now)
            .bind(8, by)
            .run();
        return true;
    });
}

std::vector<SecretInfo> list(Database& db, const Scope& scope) {
    auto query = db.prepare(
        "SELECT name, created_at, updated_at, updated_by FROM secrets WHERE scope = ? "
        "ORDER BY name");
    query.bind(1, scope.name);
    std::vector<SecretInfo> secrets;
    while (query.step()) {
        secrets.push_back({query.text(0), query.integer(1), query.integer(2), query.text(3)});
    }
    return secrets;
}

std::vector<ContextInfo> contexts(Database& db) {
    auto query = db.prepare(
        "SELECT scope, COUNT(*), MAX(updated_at) FROM secrets WHERE instr(scope, '/') = 0 "
        "GROUP BY scope ORDER BY scope");
    std::vector<ContextInfo> found;
    while (query.step()) found.push_back({query.text(0), query.integer(1), query.integer(2)});
    return found;
}

bool remove(Database& db, const Scope& scope, const std::string& name) {
    db.prepare("DELETE FROM secrets WHERE scope = ? AND name = ?")
        .bind(1, scope.name)
        .bind(2, name)
        .run();
    return db.changes() > 0;
}

bool has_secrets(Database& db, const Scope& scope) {
    auto query = db.prepare("SELECT EXISTS (SELECT 1 FROM secrets WHERE scope = ?)");
    query.bind(1, scope.name);
    query.step();
    return query.integer(0) != 0;
}

Result<std::map<std::string, std::string>> values_for(Database& db, const Keyring& keyring,
                                                      const std::vector<std::string>& contexts) {
    std::map<std::string, std::string> values;
    for (const std::string& context : contexts) {
        // A config names any text; only a context's name may reach the table, or `context:
        // acme/app` would take that repository's secrets.
        if (auto bad = context_problem(context)) {
            return Error{"there is no context " + context + ": " + *bad};
        }
        auto any = open_all(db, keyring, context_scope(context), values);
        if (!any) return any.error();
        if (!*any) {
            return Error{"context " + context +
                         " has no secrets (an admin sets them with: fmg secret set " + context +
                         " NAME)"};
        }
    }
    return values;
}

Result<std::map<std::string, std::string>> repository_values(Database& db, const Keyring& keyring,
                                                             std::string_view full_name) {
    std::map<std::string, std::string> values;
    auto any = open_all(db, keyring, repository_scope(full_name), values);
    if (!any) return any.error();
    return values;
}

Result<int64_t> reseal_all(Database& db, const Keyring& keyring) try {
    return db.transaction([&]() -> Result<int64_t> {
        struct Row {
            int64_t id;
            std::string scope, name;
            Sealed sealed;
        };
        std::vector<Row> rows;
        {
            auto query = db.prepare("SELECT id, scope, name, key_id, nonce, sealed FROM secrets");
            while (query.step()) {
                rows.push_back({query.integer(0),
                                query.text(1),
                                query.text(2),
                                {query.integer(3), query.blob(4), query.blob(5)}});
            }
        }
        for (const Row& row : rows) {
            auto value = keyring.open(row.sealed, binding(row.scope, row.name));
            if (!value) {
                // Thrown to roll back what was resealed; turned into the Error below.
                throw Unreadable("secret " + row.name + " of " +
                                 stored_scope(row.scope).described() +
                                 " cannot be read: " + value.error().message);
            }
            const Sealed again = keyring.seal(*value, binding(row.scope, row.name));
            db.prepare("UPDATE secrets SET key_id = ?, nonce = ?, sealed = ? WHERE id = ?")
                .bind(1, again.key_id)
                .bind_blob(2, again.nonce)
                .bind_blob(3, again.ciphertext)
                .bind(4, row.id)
                .run();
        }
        return static_cast<int64_t>(rows.size());
    });
} catch (const Unreadable& e) {
    return Error{e.what()};
}

}  // namespace fmg::coordinator::secrets
