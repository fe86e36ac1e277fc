// The log cap's rules: where the head is cut, where the kept tail starts, and the lines that
// stand for what was left out.

#include "coordinator/logs/log_cap.h"

#include <catch2/catch.hpp>
#include <string>

using namespace fmg::coordinator;

TEST_CASE("the cap is split in two halves, the head taking the smaller") {
    CHECK(log_head_limit(65536) == 32768);
    CHECK(log_tail_keep(65536) == 32768);
    CHECK(log_head_limit(65537) + log_tail_keep(65537) == 65537);
    CHECK(log_line_slack(65536) == 1024);
    CHECK(log_line_slack(kDefaultLogCapBytes) == 8192);
}

TEST_CASE("the head ends at the last line end before the limit when it is near") {
    // 6 bytes of room: "one\ntw" fits; the line "two" would be cut, so the head stops after
    // "one\n".
    CHECK(head_cut("one\ntwo\nthree\n", 6, 4) == 4);
    // A newline exactly at the limit keeps the whole room.
    CHECK(head_cut("one\ntwo\nthree\n", 8, 4) == 8);
}

TEST_CASE("the head is cut at the limit when no line ends near it") {
    std::string long_line(100, 'x');
    CHECK(head_cut(long_line + "\n", 50, 10) == 50);
    // The line end is 46 bytes before the limit, farther than the slack of 10.
    CHECK(head_cut("ab\n" + long_line, 50, 10) == 50);
    CHECK(head_cut("anything", 0, 10) == 0);
}

TEST_CASE("the kept tail starts after the first line end near its cut") {
    CHECK(tail_line_start("rt of a line\nnext line\n", 16) == 13);
    CHECK(tail_line_start("no line end in reach\n", 8) == 0);
    CHECK(tail_line_start("\nstarts clean", 8) == 1);
    CHECK(tail_line_start("", 8) == 0);
}

TEST_CASE("sizes read as they were set") {
    CHECK(format_byte_size(kDefaultLogCapBytes) == "64 MiB");
    CHECK(format_byte_size(65536) == "64 KiB");
    CHECK(format_byte_size(3 * 1024 * 1024 + 512 * 1024) == "3584 KiB");
    CHECK(format_byte_size(70000) == "70000 bytes");
    CHECK(format_byte_size(int64_t{2} * 1024 * 1024 * 1024) == "2 GiB");
    CHECK(format_byte_size(kMaxLogCapBytes) == "1 TiB");
}

TEST_CASE("the marker is one line naming how much was left out and the flag") {
    CHECK(omission_marker(123456789, kDefaultLogCapBytes, true) ==
          "--- fmg: 123456789 bytes of output omitted (log cap 64 MiB, --log-cap) ---\n");
    // After a head cut mid-line, the marker still starts a line of its own.
    CHECK(omission_marker(10, 65536, false) ==
          "\n--- fmg: 10 bytes of output omitted (log cap 64 KiB, --log-cap) ---\n");
}

TEST_CASE("a follower is told the rest of a capped log is held back until the end") {
    std::string notice = held_back_notice(65536, true);
    CHECK_THAT(notice, Catch::StartsWith("--- fmg: the log reached its cap (64 KiB, --log-cap)"));
    CHECK_THAT(notice, Catch::Contains("last 32 KiB follow when the attempt ends"));
    CHECK(notice.back() == '\n');
    CHECK(held_back_notice(65536, false).front() == '\n');
}
