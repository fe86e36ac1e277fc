#pragma once
// Secrets of contexts and repositories (docs/security.md "Secrets"): named operations on the
// secrets table. Values enter and leave only through the Keyring; the table holds them sealed.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "coordinator/secrets/keyring.h"
#include "coordinator/store/database.h"
#include "shared/result.h"

namespace fmg::coordinator::secrets {

/// Where a secret belongs: a context, whose secrets the jobs that name it in their workflow
/// get, or a repository, whose secrets every job of its pipelines gets.
struct Scope {
    enum class Kind { context, repository };
    Kind kind = Kind::context;
    // A context's name, or a repository's owner/name in lower case (GitHub ignores the case).
    // The secrets table keeps it as it is: a context's name has no '/', a repository's has.
    std::string name;

    /// "context prod", "repository acme/app": for messages.
    std::string described() const;
};

Scope context_scope(std::string name);
/// The scope of repository `full_name` (owner/name), in lower case.
Scope repository_scope(std::string_view full_name);

/// nullopt when the scope's name follows its rule (context_problem, or a repository's
/// owner/name as GitHub allows it), else why not.
std::optional<std::string> scope_problem(const Scope& scope);

/// A context's name: 1 to 100 letters, digits, `.`, `_`, `-` (it is a path segment of the
/// API). nullopt when `name` follows the rule, else why not.
std::optional<std::string> context_problem(std::string_view name);
/// A secret's name is the environment variable a job sees: `[A-Za-z_][A-Za-z0-9_]*`, at most
/// 128 characters, not starting with `FMG_` or `CIRCLE` (the coordinator's own variables).
std::optional<std::string> name_problem(std::string_view name);
/// A value: at least kMinSecretBytes (shorter ones would mask innocent text in every log, and
/// guessing them is trivial), at most kMaxSecretBytes, no NUL (environment variables cannot
/// hold one). The message never holds the value.
std::optional<std::string> value_problem(std::string_view value);

inline constexpr size_t kMinSecretBytes = 4;
inline constexpr size_t kMaxSecretBytes = 64 * 1024;

/// What `fmg secret list` shows: never the value.
struct SecretInfo {
    std::string name;
    int64_t created_at = 0;
    int64_t updated_at = 0;
    std::string updated_by;
};

/// Sets (creates or replaces) a secret. Returns true when it was created.
bool set(Database& db, const Keyring& keyring, const Scope& scope, const std::string& name,
         std::string_view value, const std::string& by, int64_t now);

/// The secrets of `scope`, by name.
std::vector<SecretInfo> list(Database& db, const Scope& scope);

/// A context that has secrets: how many, and when one last changed.
struct ContextInfo {
    std::string name;
    int64_t secrets = 0;
    int64_t updated_at = 0;
};

/// Every context that has secrets, by name (repositories are not contexts).
std::vector<ContextInfo> contexts(Database& db);

/// Removes a secret; false when there was none.
bool remove(Database& db, const Scope& scope, const std::string& name);

/// Whether `scope` has any secret (a context exists once it has one).
bool has_secrets(Database& db, const Scope& scope);

/// The values of every secret of `contexts`, opened: NAME -> value. A name in several contexts
/// takes the value of the one listed last (CircleCI gives no order; fmg documents this one).
/// An Error names the context and secret (never a value) that does not open, or the first
/// context that does not exist.
Result<std::map<std::string, std::string>> values_for(Database& db, const Keyring& keyring,
                                                      const std::vector<std::string>& contexts);

/// The values of every secret of repository `full_name`, opened: NAME -> value; none when it
/// has none. An Error names the secret (never a value) that does not open.
Result<std::map<std::string, std::string>> repository_values(Database& db, const Keyring& keyring,
                                                             std::string_view full_name);

/// Seals every secret again with the keyring's current key (rotation's step 2, in one
/// transaction). Returns how many; an Error (and nothing changed) when one does not open.
Result<int64_t> reseal_all(Database& db, const Keyring& keyring);

}  // namespace fmg::coordinator::secrets
