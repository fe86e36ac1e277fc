#pragma once
// The times of a scheduled workflow (`triggers: - schedule: cron: "0 0 * * *"`): a POSIX
// crontab entry's five time fields, read in UTC, within what CircleCI accepts of them.

#include <bitset>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include "shared/result.h"

namespace fmg::pipeline {

/// Longest `cron` value accepted, in bytes (the longest useful one, every minute listed, is
/// about 180): bounds the work of reading one.
inline constexpr std::size_t kMaxCronBytes = 256;

/// How far ahead next_after looks: a schedule on February 29 can wait 8 years (2096 to 2104).
inline constexpr int kCronSearchDays = 9 * 366;

class CronSchedule {
  public:
    /// Parses five fields separated by blanks: minute (0-59), hour (0-23), day of the month
    /// (1-31), month (1-12), day of the week (0-6, 0 is Sunday). Each field is `*`, a number,
    /// a range `a-b` (the whole field), or a list of numbers `a,b,c`. What POSIX cron or
    /// CircleCI do not accept is refused with a message naming the field and saying what to
    /// write instead: steps (`*/15`), ranges inside lists (`1,3-5`), names (`MON`, `JAN`),
    /// macros (`@daily`), `?` `L` `W` `#`, a sixth field, values out of range, and a schedule
    /// that never fires (`0 0 30 2 *`).
    static Result<CronSchedule> parse(std::string_view text);

    /// The first time after `after_ms` (epoch milliseconds, UTC; strictly after) at which the
    /// schedule fires: a whole minute. A day fires when its month is listed and, when both
    /// day fields are restricted (not `*`), its day of the month OR its day of the week is
    /// listed; when only one is restricted, that one decides (POSIX, as every cron). nullopt
    /// only when nothing fires within kCronSearchDays.
    std::optional<int64_t> next_after(int64_t after_ms) const;

    /// The schedule as written.
    const std::string& text() const { return text_; }

  private:
    bool fires_on(const std::tm& day) const;
    bool has_a_day() const;

    std::string text_;
    std::bitset<60> minutes_;
    std::bitset<24> hours_;
    std::bitset<32> days_of_month_;  // 1-31
    std::bitset<13> months_;         // 1-12
    std::bitset<7> days_of_week_;    // 0 is Sunday
    bool any_day_of_month_ = true;   // the field is `*`
    bool any_day_of_week_ = true;
};

}  // namespace fmg::pipeline
