#include "shared/pipeline/cron.h"

#include <array>
#include <vector>

#include "shared/pipeline/text.h"

namespace fmg::pipeline {

namespace {

using detail::is_ascii_digit;
using Bits = std::bitset<64>;

constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kDayMs = 24 * 60 * kMinuteMs;

struct Field {
    std::string_view name;
    int min;
    int max;
    std::string_view hint;  // how to write its values, for messages
};

constexpr std::array<Field, 5> kFields = {{
    {"minute", 0, 59, "0-59"},
    {"hour", 0, 23, "0-23"},
    {"day of the month", 1, 31, "1-31"},
    {"month", 1, 12, "1-12, 1 is January"},
    {"day of the week", 0, 6, "0-6, 0 is Sunday"},
}};

// What `@macro` stands for, to say what to write instead.
struct Macro {
    std::string_view name;
    std::string_view fields;
};
constexpr Macro kMacros[] = {{"@yearly", "0 0 1 1 *"},  {"@annually", "0 0 1 1 *"},
                             {"@monthly", "0 0 1 * *"}, {"@weekly", "0 0 * * 0"},
                             {"@daily", "0 0 * * *"},   {"@midnight", "0 0 * * *"},
                             {"@hourly", "0 * * * *"}};

constexpr int kDaysInMonth[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

int64_t floor_div(int64_t value, int64_t by) {
    const int64_t quotient = value / by;
    return (value % by != 0 && (value < 0) != (by < 0)) ? quotient - 1 : quotient;
}

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

bool is_ascii_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

class FieldReader {
  public:
    FieldReader(std::string_view cron, const Field& field) : cron_(cron), field_(field) {}

    Result<Bits> read(std::string_view text) {
        text_ = text;
        if (text == "*") return all();
        if (text.find('/') != std::string_view::npos) return step_error(text);
        if (text.find(',') != std::string_view::npos) return list(text);
        if (const auto dash = text.find('-'); dash != std::string_view::npos) {
            auto first = number(text.substr(0, dash), text);
            if (!first) return first.error();
            auto last = number(text.substr(dash + 1), text);
            if (!last) return last.error();
            if (*first > *last) {
                return fail("the range goes backwards (write " + std::to_string(*last) + "-" +
                            std::to_string(*first) + ")");
            }
            Bits bits;
            for (int value = *first; value <= *last; ++value) bits.set(value);
            return bits;
        }
        auto value = number(text, text);
        if (!value) return value.error();
        Bits bits;
        bits.set(*value);
        return bits;
    }

  private:
    Bits all() const {
        Bits bits;
        for (int value = field_.min; value <= field_.max; ++value) bits.set(value);
        return bits;
    }

    Result<Bits> list(std::string_view text) {
        Bits bits;
        std::string spelled_out;  // the list with its ranges written out, for a message
        std::string_view rest = text;
        bool has_range = false;
        while (true) {
            const auto comma = rest.find(',');
            const std::string_view item = rest.substr(0, comma);
            if (item.empty()) return fail("the list has an empty item");
            const auto dash = item.find('-');
            if (dash != std::string_view::npos) {
                has_range = true;
                auto first = number(item.substr(0, dash), item);
                if (!first) return first.error();
                auto last = number(item.substr(dash + 1), item);
                if (!last) return last.error();
                for (int value = *first; value <= *last; ++value) {
                    spelled_out += (spelled_out.empty() ? "" : ",") + std::to_string(value);
                }
            } else {
                auto value = number(item, item);
                if (!value) return value.error();
                bits.set(*value);
                spelled_out += (spelled_out.empty() ? "" : ",") + std::to_string(*value);
            }
            if (comma == std::string_view::npos) break;
            rest = rest.substr(comma + 1);
        }
        if (has_range) {
            return fail(
                "a range inside a list is not supported by CircleCI's scheduled workflows; list "
                "each value: " +
                spelled_out);
        }
        return bits;
    }

    Result<int> number(std::string_view text, std::string_view item) {
        if (text.empty()) return fail(quoted(item) + " is not a number or a range");
        for (char c : text) {
            if (is_ascii_digit(c)) continue;
            if (is_ascii_letter(text[0]) && field_.name == "month") {
                return fail("names are not POSIX cron: write the month's number (1-12)");
            }
            if (is_ascii_letter(text[0]) && field_.name == "day of the week") {
                return fail("names are not POSIX cron: write the day's number (0-6, 0 is Sunday)");
            }
            return fail(quoted(item) +
                        " is not POSIX cron (a field is `*`, a number, a range a-b or a list "
                        "a,b,c)");
        }
        // Four digits are enough for any leading zeros a person writes; more is no value.
        const int value = text.size() > 4 ? field_.max + 1 : std::stoi(std::string(text));
        if (value < field_.min || value > field_.max) {
            return fail(std::string(text) + " is out of range (" + std::string(field_.hint) + ")");
        }
        return value;
    }

    Error step_error(std::string_view text) {
        std::string message =
            "steps are not supported by CircleCI's scheduled workflows; list the values";
        // `*/N` and `A-B/N` are spelled out when they fit in a message.
        const auto slash = text.find('/');
        const std::string_view base = text.substr(0, slash);
        const std::string_view step_text = text.substr(slash + 1);
        int first = field_.min;
        int last = field_.max;
        bool understood = !step_text.empty() && step_text.size() <= 2 &&
                          is_ascii_digit(step_text[0]) &&
                          (step_text.size() == 1 || is_ascii_digit(step_text[1]));
        if (understood && base != "*") {
            const auto dash = base.find('-');
            const auto all_digits = [](std::string_view part) {
                if (part.empty() || part.size() > 2) return false;
                for (char c : part) {
                    if (!is_ascii_digit(c)) return false;
                }
                return true;
            };
            understood = dash != std::string_view::npos && all_digits(base.substr(0, dash)) &&
                         all_digits(base.substr(dash + 1));
            if (understood) {
                first = std::stoi(std::string(base.substr(0, dash)));
                last = std::stoi(std::string(base.substr(dash + 1)));
            }
        }
        const int step = understood ? std::stoi(std::string(step_text)) : 0;
        understood = understood && step > 0 && first >= field_.min && last <= field_.max;
        if (understood) {
            std::string values;
            for (int value = first; value <= last; value += step) {
                values += (values.empty() ? "" : ",") + std::to_string(value);
            }
            message += ": " + values;
        }
        return fail(message);
    }

    Error fail(const std::string& why) const {
        return Error{"invalid cron " + quoted(cron_) + ": " + std::string(field_.name) + " " +
                     quoted(text_) + ": " + why};
    }

    static std::string quoted(std::string_view text) { return detail::quoted(text); }

    std::string_view cron_;
    const Field& field_;
    std::string_view text_;  // the field being read
};

std::vector<std::string_view> split_fields(std::string_view text) {
    std::vector<std::string_view> fields;
    std::size_t pos = 0;
    while (pos < text.size()) {
        while (pos < text.size() && is_blank(text[pos])) ++pos;
        const std::size_t start = pos;
        while (pos < text.size() && !is_blank(text[pos])) ++pos;
        if (pos > start) fields.push_back(text.substr(start, pos - start));
    }
    return fields;
}

Error whole_error(std::string_view text, const std::string& why) {
    return Error{"invalid cron " + detail::quoted(text) + ": " + why};
}

template <std::size_t N>
std::bitset<N> narrow(const Bits& bits) {
    std::bitset<N> out;
    for (std::size_t i = 0; i < N; ++i) out[i] = bits[i];
    return out;
}

}  // namespace

Result<CronSchedule> CronSchedule::parse(std::string_view text) {
    if (text.size() > kMaxCronBytes) {
        return whole_error(text, "it is longer than " + std::to_string(kMaxCronBytes) + " bytes");
    }
    const std::vector<std::string_view> fields = split_fields(text);
    if (fields.empty()) {
        return Error{
            "`cron` is empty: write five fields, e.g. \"0 0 * * *\" (every day at "
            "00:00 UTC)"};
    }
    if (fields[0].front() == '@') {
        for (const Macro& macro : kMacros) {
            if (fields[0] == macro.name) {
                return whole_error(
                    text, "macros are not POSIX cron: write \"" + std::string(macro.fields) + "\"");
            }
        }
        return whole_error(text, "macros are not POSIX cron: write the five fields");
    }
    if (fields.size() != kFields.size()) {
        std::string why =
            "a cron has five fields (minute hour day-of-month month day-of-week), "
            "this one has " +
            std::to_string(fields.size());
        if (fields.size() > kFields.size()) why += " (seconds and years are not POSIX cron)";
        return whole_error(text, why);
    }
    std::array<Bits, 5> bits;
    for (std::size_t i = 0; i < kFields.size(); ++i) {
        auto read = FieldReader(text, kFields[i]).read(fields[i]);
        if (!read) return read.error();
        bits[i] = *read;
    }
    CronSchedule schedule;
    schedule.text_ = std::string(text);
    schedule.minutes_ = narrow<60>(bits[0]);
    schedule.hours_ = narrow<24>(bits[1]);
    schedule.days_of_month_ = narrow<32>(bits[2]);
    schedule.months_ = narrow<13>(bits[3]);
    schedule.days_of_week_ = narrow<7>(bits[4]);
    schedule.any_day_of_month_ = fields[2] == "*";
    schedule.any_day_of_week_ = fields[4] == "*";
    if (!schedule.has_a_day()) {
        return whole_error(text,
                           "it never fires: none of its months has any of its days of the "
                           "month");
    }
    return schedule;
}

// Only a day-of-month restriction alone can miss every month (`30 2`): a day of the week
// comes every week.
bool CronSchedule::has_a_day() const {
    if (!any_day_of_week_) return true;
    for (int month = 1; month <= 12; ++month) {
        if (!months_[month]) continue;
        for (int day = 1; day <= kDaysInMonth[month]; ++day) {
            if (days_of_month_[day]) return true;
        }
    }
    return false;
}

bool CronSchedule::fires_on(const std::tm& day) const {
    if (!months_[day.tm_mon + 1]) return false;
    const bool by_month_day = days_of_month_[day.tm_mday];
    const bool by_week_day = days_of_week_[day.tm_wday];
    if (any_day_of_month_ && any_day_of_week_) return true;
    if (any_day_of_month_) return by_week_day;
    if (any_day_of_week_) return by_month_day;
    return by_month_day || by_week_day;
}

std::optional<int64_t> CronSchedule::next_after(int64_t after_ms) const {
    const int64_t first_minute = (floor_div(after_ms, kMinuteMs) + 1) * kMinuteMs;
    int64_t day_start = floor_div(first_minute, kDayMs) * kDayMs;
    int64_t from_minute = (first_minute - day_start) / kMinuteMs;  // of the first day only
    for (int searched = 0; searched < kCronSearchDays; ++searched) {
        // Unix time has no leap seconds: every UTC day is kDayMs long.
        const std::time_t seconds = static_cast<std::time_t>(day_start / 1000);
        std::tm day{};
        gmtime_r(&seconds, &day);
        if (fires_on(day)) {
            for (int64_t hour = from_minute / 60; hour < 24; ++hour) {
                if (!hours_[static_cast<std::size_t>(hour)]) continue;
                const int64_t first = hour == from_minute / 60 ? from_minute % 60 : 0;
                for (int64_t minute = first; minute < 60; ++minute) {
                    if (minutes_[static_cast<std::size_t>(minute)]) {
                        return day_start + (hour * 60 + minute) * kMinuteMs;
                    }
                }
            }
        }
        day_start += kDayMs;
        from_minute = 0;
    }
    return std::nullopt;
}

}  // namespace fmg::pipeline
