#pragma once
// The roles an API token has (docs/security.md "People and tokens"): each includes the ones
// before it. viewer reads; trigger also starts, cancels, retries and approves pipelines;
// admin also manages runners, tokens, secrets and reads the audit log.

#include <optional>
#include <string>
#include <string_view>

namespace fmg::coordinator {

enum class Role { viewer = 0, trigger = 1, admin = 2 };

std::string_view role_name(Role role);
/// The role called `name` ("viewer", "trigger", "admin"); nullopt for anything else.
std::optional<Role> parse_role(std::string_view name);
/// Whether a token of role `held` may do what needs `needed`.
inline bool role_allows(Role held, Role needed) {
    return static_cast<int>(held) >= static_cast<int>(needed);
}

}  // namespace fmg::coordinator
