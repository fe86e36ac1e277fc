#include "coordinator/logs/log_cap.h"

#include <algorithm>

namespace fmg::coordinator {

int64_t log_head_limit(int64_t cap) {
    return cap / 2;
}

int64_t log_tail_keep(int64_t cap) {
    return cap - cap / 2;
}

int64_t log_line_slack(int64_t cap) {
    return std::min<int64_t>(cap / 64, 8 * 1024);
}

size_t head_cut(std::string_view chunk, int64_t room, int64_t slack) {
    if (room <= 0) return 0;
    size_t limit = std::min(chunk.size(), static_cast<size_t>(room));
    size_t newline = chunk.substr(0, limit).rfind('\n');
    if (newline != std::string_view::npos && static_cast<int64_t>(limit - (newline + 1)) <= slack) {
        return newline + 1;
    }
    return limit;
}

size_t tail_line_start(std::string_view window, int64_t slack) {
    size_t newline = window.substr(0, static_cast<size_t>(std::max<int64_t>(slack, 0))).find('\n');
    return newline == std::string_view::npos ? 0 : newline + 1;
}

std::string format_byte_size(int64_t bytes) {
    constexpr int64_t kKiB = 1024;
    constexpr int64_t kMiB = kKiB * 1024;
    constexpr int64_t kGiB = kMiB * 1024;
    constexpr int64_t kTiB = kGiB * 1024;
    if (bytes > 0 && bytes % kTiB == 0) return std::to_string(bytes / kTiB) + " TiB";
    if (bytes > 0 && bytes % kGiB == 0) return std::to_string(bytes / kGiB) + " GiB";
    if (bytes > 0 && bytes % kMiB == 0) return std::to_string(bytes / kMiB) + " MiB";
    if (bytes > 0 && bytes % kKiB == 0) return std::to_string(bytes / kKiB) + " KiB";
    return std::to_string(bytes) + " bytes";
}

std::string omission_marker(int64_t omitted, int64_t cap, bool head_ends_with_newline) {
    return std::string(head_ends_with_newline ? "" : "\n") + "--- fmg: " + std::to_string(omitted) +
           " bytes of output omitted (log cap " + format_byte_size(cap) + ", --log-cap) ---\n";
}

std::string held_back_notice(int64_t cap, bool head_ends_with_newline) {
    return std::string(head_ends_with_newline ? "" : "\n") + "--- fmg: the log reached its cap (" +
           format_byte_size(cap) + ", --log-cap); the rest of the output is held back and its " +
           "last " + format_byte_size(log_tail_keep(cap)) + " follow when the attempt ends ---\n";
}

}  // namespace fmg::coordinator
