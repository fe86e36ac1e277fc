#pragma once
// How the dashboard writes HTML (docs/dashboard.md): every value shown goes through escape(),
// attributes are always quoted, and a page is the shell below around a body its page function
// built. Nothing from a config, a commit or a log reaches a page any other way.

#include <optional>
#include <string>
#include <string_view>

#include "coordinator/access/roles.h"

namespace fmg::coordinator::web {

/// `text` as HTML text or a quoted attribute's value: & < > " ' replaced by entities.
std::string escape(std::string_view text);

/// Who looks at a page: the session's token name and role, and the value its forms carry
/// against cross-site requests.
struct Viewer {
    std::string name;
    Role role = Role::viewer;
    std::string csrf;
};

/// A whole page: doctype, `title`, the stylesheet, a header with the pages' links and, for a
/// viewer, who is logged in and a log-out button, then `body` (HTML already escaped).
std::string page(std::string_view title, const std::optional<Viewer>& viewer,
                 std::string_view body);

}  // namespace fmg::coordinator::web
