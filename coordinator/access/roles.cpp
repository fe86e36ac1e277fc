#include "coordinator/access/roles.h"

namespace fmg::coordinator {

std::string_view role_name(Role role) {
    switch (role) {
        case Role::viewer:
            return "viewer";
        case Role::trigger:
            return "trigger";
        case Role::admin:
            return "admin";
    }
    return "viewer";
}

std::optional<Role> parse_role(std::string_view name) {
    if (name == "viewer") return Role::viewer;
    if (name == "trigger") return Role::trigger;
    if (name == "admin") return Role::admin;
    return std::nullopt;
}

}  // namespace fmg::coordinator
