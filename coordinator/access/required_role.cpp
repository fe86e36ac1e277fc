#include "coordinator/access/required_role.h"

namespace fmg::coordinator {

Role required_role(std::string_view method, const std::vector<std::string>& segments) {
    const std::string_view area = segments.size() >= 3 ? std::string_view(segments[2]) : "";
    if (area == "tokens" || area == "audit" || area == "contexts" || area == "repos" ||
        area == "secrets-key") {
        return Role::admin;
    }
    if (method == "GET" || method == "HEAD") return Role::viewer;
    if (area == "pipelines" && method == "POST") return Role::trigger;
    return Role::admin;
}

}  // namespace fmg::coordinator
