#include "shared/pipeline/nodes.h"

namespace fmg::pipeline {

std::string node_name(std::string_view job, uint32_t index) {
    return std::string(job) + "[" + std::to_string(index) + "]";
}

}  // namespace fmg::pipeline
