// libFuzzer target for the pipeline config parser, 2.1 expansion included: any bytes must
// come back as a Config or a ParseError (never a crash, hang or exception), and a Config must
// keep its promises. Seeds: the real configs of tests/configs/real, each after one byte.
// Build with -DFMG_FUZZ=ON and clang; run e.g. `fuzz_pipeline_config_fuzz -max_total_time=60`.

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <variant>

#include "shared/pipeline/config.h"

namespace {

using fmg::pipeline::Config;
using fmg::pipeline::ParseError;
using fmg::pipeline::RefContext;

// The first byte picks the ref, so filters and their regexes are matched too.
RefContext ref_for(uint8_t selector) {
    switch (selector % 4) {
        case 0:
            return RefContext{};
        case 1:
            return RefContext{"main", ""};
        case 2:
            return RefContext{"feature/x-1", ""};
        default:
            return RefContext{"", "v1.2.3"};
    }
}

void check_config(const Config& config) {
    std::set<std::string> placed;
    for (const auto& job : config.jobs) {
        // A job runs in a docker image, or on a runner its labels name (machine, macos...);
        // approval and no-op jobs run nothing.
        if (job.type == fmg::pipeline::JobType::build &&
            ((job.image.image.empty() && job.labels.empty()) || job.steps.empty())) {
            __builtin_trap();
        }
        for (const auto& required : job.required_jobs) {
            if (placed.count(required) == 0) __builtin_trap();  // not ordered after it
        }
        if (!placed.insert(job.name).second) __builtin_trap();  // names must be unique
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    const auto result = fmg::pipeline::parse_config(text, "config.yml", ref_for(data[0]));
    if (const auto* error = std::get_if<ParseError>(&result)) {
        if (error->line < 1 || error->column < 1 || error->message.empty()) __builtin_trap();
    } else {
        check_config(std::get<Config>(result));
    }
    return 0;
}
