#pragma once
// Who made an API request: the token it carried, once authenticated (http/responses.h
// authenticate), and what the audit log should say of it.

#include <cstdint>
#include <string>

#include "coordinator/access/roles.h"

namespace fmg::coordinator {

struct Caller {
    int64_t token_id = 0;
    std::string name;  // the token's name: the "who" of the audit log
    Role role = Role::viewer;
    /// Set by a handler that made something the request path does not name ("runner 3
    /// (ci-1)", "pipeline 12"): the audit log's detail.
    std::string audit_detail;
};

}  // namespace fmg::coordinator
