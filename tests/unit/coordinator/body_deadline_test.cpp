#include <catch2/catch.hpp>

#include "coordinator/http/body_reader.h"

using fmg::coordinator::http::body_deadline;
using std::chrono::seconds;

TEST_CASE("body deadline: a floor of 10 s plus the length at 512 KiB/s") {
    CHECK(body_deadline(0) == seconds(10));
    CHECK(body_deadline(1024 * 1024) == seconds(12));       // the largest API body
    CHECK(body_deadline(25 * 1024 * 1024) == seconds(60));  // the largest webhook
    CHECK(body_deadline(512 * 1024) == seconds(11));
}
