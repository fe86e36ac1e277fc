#pragma once
// Which role an /api/v1 request needs (docs/security.md "People and tokens"), decided from
// its method and path alone, before any handler runs: a handler cannot forget to check.

#include <string>
#include <string_view>
#include <vector>

#include "coordinator/access/roles.h"

namespace fmg::coordinator {

/// `segments`: the path split at '/', starting with "api", "v1". Reads need viewer; starting,
/// cancelling, retrying and approving pipelines need trigger; everything else needs admin:
/// runners, and tokens, secrets and the audit log, whose reads too (who holds which token and
/// which secrets exist is the admin's business, not every viewer's).
Role required_role(std::string_view method, const std::vector<std::string>& segments);

}  // namespace fmg::coordinator
