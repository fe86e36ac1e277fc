// How the CLI and the dashboard show commits, refs, times and durations (shared/display.h).

#include "shared/display.h"

#include <catch2/catch.hpp>

using namespace fmg;

TEST_CASE("durations read naturally at every scale") {
    CHECK(format_duration(0) == "0.0s");
    CHECK(format_duration(400) == "0.4s");
    CHECK(format_duration(59'999) == "59.9s");
    CHECK(format_duration(60'000) == "1m00s");
    CHECK(format_duration(3'599'999) == "59m59s");
    CHECK(format_duration(3'600'000) == "1h00m");
    CHECK(format_duration(7'500'000) == "2h05m");
    CHECK(format_duration(-5) == "0.0s");
}

TEST_CASE("commits, refs and times are shown short") {
    CHECK(short_sha("0123456789abcdef") == "0123456");
    CHECK(short_sha("abc") == "abc");
    CHECK(short_ref("refs/heads/feature/x") == "feature/x");
    CHECK(short_ref("refs/tags/v1.2") == "v1.2");
    CHECK(short_ref("refs/pull/12/head") == "refs/pull/12/head");
    CHECK(format_time_s(1795867200123) == "2026-11-28T12:00:00Z");
}
