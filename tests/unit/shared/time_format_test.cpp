#include "shared/time_format.h"

#include <catch2/catch.hpp>

using namespace fmg;

TEST_CASE("RFC 3339 with milliseconds, both ways") {
    CHECK(format_rfc3339_ms(0) == "1970-01-01T00:00:00.000Z");
    CHECK(format_rfc3339_ms(1795867200123) == "2026-11-28T12:00:00.123Z");
    CHECK(parse_rfc3339_ms("2026-11-28T12:00:00.123Z") == 1795867200123);
    CHECK(parse_rfc3339_ms("2026-11-28T12:00:00Z") == 1795867200000);
    CHECK_FALSE(parse_rfc3339_ms("2026-11-28 12:00:00"));
    CHECK_FALSE(parse_rfc3339_ms("2026-11-28T12:00:00.Z"));
}
