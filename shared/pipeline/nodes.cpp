#include "shared/pipeline/nodes.h"

namespace fmg::pipeline {

std::string shared_name(std::string_view workflow, std::string_view name) {
    return std::string(workflow) + ":" + std::string(name);
}

std::string node_name(std::string_view job, uint32_t index) {
    return std::string(job) + "[" + std::to_string(index) + "]";
}

}  // namespace fmg::pipeline
