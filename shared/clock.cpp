#include "shared/clock.h"

#include "shared/time_format.h"

namespace fmg {

int64_t SystemClock::wall_ms() const {
    return wall_clock_ms();
}

}  // namespace fmg
