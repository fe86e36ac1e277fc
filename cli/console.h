#pragma once
// Where a command writes: standard output for results (what scripts read), standard error
// for progress, hints and errors. Tests pass string streams.

#include <ostream>

namespace fmg::cli {

struct Console {
    std::ostream& out;
    std::ostream& err;
};

}  // namespace fmg::cli
