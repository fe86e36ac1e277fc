#include "tests/bench/bench_options.h"

namespace fmg::bench {
namespace {
bool quick_run = false;
}  // namespace

bool quick() {
    return quick_run;
}

void set_quick(bool value) {
    quick_run = value;
}

int repetitions(int full, int quick_count) {
    return quick_run ? quick_count : full;
}

}  // namespace fmg::bench
