// Cron schedules of scheduled workflows: what CircleCI's POSIX cron accepts, the errors for
// what it does not, and the next fire time across hours, days, month ends, leap years and the
// day-of-month / day-of-week rule.

#include <catch2/catch.hpp>
#include <string>

#include "shared/pipeline/cron.h"
#include "shared/time_format.h"

using fmg::format_rfc3339_ms;
using fmg::parse_rfc3339_ms;
using fmg::pipeline::CronSchedule;

namespace {

CronSchedule cron(const std::string& text) {
    auto parsed = CronSchedule::parse(text);
    if (!parsed) FAIL(parsed.error().message);
    return *parsed;
}

std::string cron_error(const std::string& text) {
    auto parsed = CronSchedule::parse(text);
    if (parsed) FAIL("expected an error for `" << text << "`");
    return parsed.error().message;
}

int64_t at(const std::string& rfc3339) {
    auto ms = parse_rfc3339_ms(rfc3339);
    REQUIRE(ms);
    return *ms;
}

// The next fire time after `after`, as RFC 3339; "never" when there is none.
std::string next(const std::string& text, const std::string& after) {
    auto fire = cron(text).next_after(at(after));
    return fire ? format_rfc3339_ms(*fire) : "never";
}

}  // namespace

TEST_CASE("cron: every minute fires at the next whole minute, strictly after") {
    CHECK(next("* * * * *", "2030-01-01T11:59:58.500Z") == "2030-01-01T12:00:00.000Z");
    // Exactly on a fire time: the next one, so a fire time never fires twice.
    CHECK(next("* * * * *", "2030-01-01T12:00:00.000Z") == "2030-01-01T12:01:00.000Z");
    CHECK(next("* * * * *", "2030-12-31T23:59:30.000Z") == "2031-01-01T00:00:00.000Z");
}

TEST_CASE("cron: a daily schedule fires once a day at its time, in UTC") {
    CHECK(next("0 0 * * *", "2030-01-01T00:00:00.000Z") == "2030-01-02T00:00:00.000Z");
    CHECK(next("0 0 * * *", "2029-12-31T23:59:59.999Z") == "2030-01-01T00:00:00.000Z");
    CHECK(next("21 4 * * *", "2030-06-15T04:21:00.001Z") == "2030-06-16T04:21:00.000Z");
    CHECK(next("21 4 * * *", "2030-06-15T04:20:59.000Z") == "2030-06-15T04:21:00.000Z");
}

TEST_CASE("cron: lists and ranges of minutes and hours") {
    CHECK(next("0,30 9-17 * * *", "2030-03-04T08:00:00.000Z") == "2030-03-04T09:00:00.000Z");
    CHECK(next("0,30 9-17 * * *", "2030-03-04T09:00:00.000Z") == "2030-03-04T09:30:00.000Z");
    CHECK(next("0,30 9-17 * * *", "2030-03-04T17:30:00.000Z") == "2030-03-05T09:00:00.000Z");
    CHECK(next("05 07 * * *", "2030-03-04T00:00:00.000Z") == "2030-03-04T07:05:00.000Z");
}

TEST_CASE(
    "cron: month ends: the 31st skips the months without one, February 29 waits for a "
    "leap year") {
    CHECK(next("0 0 31 * *", "2030-01-31T00:00:00.000Z") == "2030-03-31T00:00:00.000Z");
    CHECK(next("0 0 31 * *", "2030-05-31T12:00:00.000Z") == "2030-07-31T00:00:00.000Z");
    CHECK(next("0 0 30 * *", "2030-01-30T00:00:00.000Z") == "2030-03-30T00:00:00.000Z");
    CHECK(next("0 0 29 2 *", "2024-02-29T00:00:00.000Z") == "2028-02-29T00:00:00.000Z");
    // 2100 is not a leap year: eight years between two February 29ths.
    CHECK(next("0 0 29 2 *", "2096-03-01T00:00:00.000Z") == "2104-02-29T00:00:00.000Z");
    CHECK(next("59 23 28-31 2 *", "2031-02-28T23:59:00.000Z") == "2032-02-28T23:59:00.000Z");
}

TEST_CASE("cron: day of the week alone, and month with day of the week, both must match") {
    // 2030-01-07 is a Monday.
    CHECK(next("0 9 * * 1", "2030-01-02T00:00:00.000Z") == "2030-01-07T09:00:00.000Z");
    CHECK(next("0 0 * * 0", "2030-01-07T00:00:00.000Z") == "2030-01-13T00:00:00.000Z");
    CHECK(next("10 16 * * 1,2,3,4,5", "2030-01-04T16:10:00.000Z") == "2030-01-07T16:10:00.000Z");
    CHECK(next("0 0 * * 1-5", "2030-01-05T00:00:00.000Z") == "2030-01-07T00:00:00.000Z");
    // Mondays in January only: the month is never an alternative.
    CHECK(next("0 0 * 1 1", "2030-01-28T00:00:00.000Z") == "2031-01-06T00:00:00.000Z");
}

TEST_CASE("cron: with both day fields restricted, either one makes the day (POSIX OR rule)") {
    // The 13th of any month, and every Friday: 2030-09-06 is a Friday, the 13th a Friday too.
    CHECK(next("0 0 13 * 5", "2030-09-01T00:00:00.000Z") == "2030-09-06T00:00:00.000Z");
    CHECK(next("0 0 13 * 5", "2030-09-06T00:00:00.000Z") == "2030-09-13T00:00:00.000Z");
    CHECK(next("0 0 13 * 5", "2030-09-27T00:00:00.000Z") == "2030-10-04T00:00:00.000Z");
    CHECK(next("0 0 13 * 5", "2030-10-11T00:00:00.000Z") == "2030-10-13T00:00:00.000Z");
    // 1-31 is a restriction too (only `*` is not): with a day of the week, every day fires.
    CHECK(next("0 0 1-31 * 3", "2030-09-02T00:00:00.000Z") == "2030-09-03T00:00:00.000Z");
    // With `*` for the day of the month, the day of the week alone decides.
    CHECK(next("0 0 * * 3", "2030-09-02T00:00:00.000Z") == "2030-09-04T00:00:00.000Z");
}

TEST_CASE("cron: fields may be separated by several blanks and tabs") {
    CHECK(next("  0\t0  1 *  * ", "2030-01-15T00:00:00.000Z") == "2030-02-01T00:00:00.000Z");
    CHECK(cron("0 0 * * *").text() == "0 0 * * *");
}

TEST_CASE("cron: steps are refused as CircleCI refuses them, with the values to list instead") {
    CHECK(cron_error("*/15 * * * *") ==
          "invalid cron `*/15 * * * *`: minute `*/15`: steps are not supported by CircleCI's "
          "scheduled workflows; list the values: 0,15,30,45");
    CHECK(cron_error("0 9-17/4 * * *") ==
          "invalid cron `0 9-17/4 * * *`: hour `9-17/4`: steps are not supported by CircleCI's "
          "scheduled workflows; list the values: 9,13,17");
    CHECK(cron_error("0 0 */x * *").find("day of the month `*/x`: steps are not supported") !=
          std::string::npos);
}

TEST_CASE("cron: a range inside a list is refused, with the list written out") {
    CHECK(cron_error("5 4 * * 1,3-5,6") ==
          "invalid cron `5 4 * * 1,3-5,6`: day of the week `1,3-5,6`: a range inside a list is "
          "not supported by CircleCI's scheduled workflows; list each value: 1,3,4,5,6");
}

TEST_CASE("cron: names, macros and non-POSIX characters are refused with what to write") {
    CHECK(cron_error("0 0 * * MON") ==
          "invalid cron `0 0 * * MON`: day of the week `MON`: names are not POSIX cron: write "
          "the day's number (0-6, 0 is Sunday)");
    CHECK(cron_error("0 0 * * Tue-Sat").find("names are not POSIX cron") != std::string::npos);
    CHECK(cron_error("0 0 1 JAN *") ==
          "invalid cron `0 0 1 JAN *`: month `JAN`: names are not POSIX cron: write the month's "
          "number (1-12)");
    CHECK(cron_error("@daily") ==
          "invalid cron `@daily`: macros are not POSIX cron: write "
          "\"0 0 * * *\"");
    CHECK(cron_error("@reboot").find("macros are not POSIX cron") != std::string::npos);
    CHECK(cron_error("0 0 L * *").find("day of the month `L`: `L` is not POSIX cron") !=
          std::string::npos);
    CHECK(cron_error("0 0 ? * *").find("is not POSIX cron") != std::string::npos);
    CHECK(cron_error("0 0 * * 5#2").find("day of the week `5#2`") != std::string::npos);
}

TEST_CASE("cron: values out of range and backwards ranges name their field") {
    CHECK(cron_error("0 24 * * *") ==
          "invalid cron `0 24 * * *`: hour `24`: 24 is out of range (0-23)");
    CHECK(cron_error("60 0 * * *").find("minute `60`: 60 is out of range (0-59)") !=
          std::string::npos);
    CHECK(cron_error("0 0 0 * *").find("day of the month `0`: 0 is out of range (1-31)") !=
          std::string::npos);
    CHECK(cron_error("0 0 * 13 *").find("month `13`: 13 is out of range (1-12, 1 is January)") !=
          std::string::npos);
    CHECK(cron_error("0 0 * * 7")
              .find("day of the week `7`: 7 is out of range (0-6, 0 is "
                    "Sunday)") != std::string::npos);
    CHECK(cron_error("0 0 * * 99999999999999999999").find("is out of range") != std::string::npos);
    CHECK(cron_error("0 17-9 * * *") ==
          "invalid cron `0 17-9 * * *`: hour `17-9`: the range goes backwards (write 9-17)");
    CHECK(cron_error("1,,2 * * * *").find("minute `1,,2`: the list has an empty item") !=
          std::string::npos);
    CHECK(cron_error("-5 * * * *").find("minute `-5`") != std::string::npos);
}

TEST_CASE("cron: the number of fields, emptiness, length and schedules that never fire") {
    CHECK(cron_error("0 0 * *") ==
          "invalid cron `0 0 * *`: a cron has five fields (minute hour day-of-month month "
          "day-of-week), this one has 4");
    CHECK(cron_error("0 0 0 * * *")
              .find("this one has 6 (seconds and years are not POSIX "
                    "cron)") != std::string::npos);
    CHECK(cron_error("   ").find("`cron` is empty") != std::string::npos);
    CHECK(cron_error(std::string(300, '1')).find("longer than 256 bytes") != std::string::npos);
    CHECK(cron_error("0 0 30 2 *") ==
          "invalid cron `0 0 30 2 *`: it never fires: none of its "
          "months has any of its days of the month");
    CHECK(cron_error("0 0 31 4,6,9,11 *").find("never fires") != std::string::npos);
    // A day of the week makes any month fire (OR rule).
    CHECK(next("0 0 30 2 1", "2030-02-01T00:00:00.000Z") == "2030-02-04T00:00:00.000Z");
}
