#include "protocol/job_timeout.h"

namespace fmg::protocol {

std::string job_timeout_message(Millis limit) {
    if (limit.count() % 1000 == 0) {
        return "job timed out after " + std::to_string(limit.count() / 1000) + " s";
    }
    return "job timed out after " + std::to_string(limit.count()) + " ms";
}

}  // namespace fmg::protocol
