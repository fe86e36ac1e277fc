#include "shared/display.h"

#include <algorithm>
#include <cstdio>

#include "shared/time_format.h"

namespace fmg {

std::string short_sha(std::string_view sha) {
    return std::string(sha.substr(0, std::min(sha.size(), kShortShaLength)));
}

std::string short_ref(std::string_view ref) {
    for (std::string_view prefix : {"refs/heads/", "refs/tags/"}) {
        if (ref.substr(0, prefix.size()) == prefix) return std::string(ref.substr(prefix.size()));
    }
    return std::string(ref);
}

std::string format_time_s(int64_t epoch_ms) {
    const std::string text = format_rfc3339_ms(epoch_ms);  // YYYY-MM-DDTHH:MM:SS.mmmZ
    return text.substr(0, 19) + "Z";
}

std::string format_duration(int64_t ms) {
    ms = std::max<int64_t>(ms, 0);
    char buffer[32];
    if (ms < 60'000) {
        std::snprintf(buffer, sizeof buffer, "%lld.%llds", static_cast<long long>(ms / 1000),
                      static_cast<long long>(ms % 1000 / 100));
    } else if (ms < 3'600'000) {
        std::snprintf(buffer, sizeof buffer, "%lldm%02llds", static_cast<long long>(ms / 60'000),
                      static_cast<long long>(ms % 60'000 / 1000));
    } else {
        std::snprintf(buffer, sizeof buffer, "%lldh%02lldm", static_cast<long long>(ms / 3'600'000),
                      static_cast<long long>(ms % 3'600'000 / 60'000));
    }
    return buffer;
}

}  // namespace fmg
