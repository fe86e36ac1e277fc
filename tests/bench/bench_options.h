#pragma once
// Run-wide options of the benchmark program.

namespace fmg::bench {

/// --quick: fewer repetitions, for checking that the scenarios run (figures are less stable).
bool quick();
void set_quick(bool quick);

/// `full` repetitions normally, `quick_count` with --quick.
int repetitions(int full, int quick_count);

}  // namespace fmg::bench
