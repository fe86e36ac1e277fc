#pragma once
// Line-oriented logging to stderr: `2026-11-22T12:00:00.123Z INFO  coordinator: message`.
// Usage: FMG_LOG(info) << "runner=" << name << " lost: silent " << ms << " ms";
// Each line is written with one write(2), so lines from several threads never interleave.

#include <sstream>
#include <string>
#include <string_view>

namespace fmg::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };

/// Sets the lowest level that is written (default info, or FMG_LOG_LEVEL at first use).
void set_level(Level level);
Level level();
/// Sets the component name printed on every line (e.g. "coordinator").
void set_component(std::string component);
/// Parses "debug", "info", "warn" or "error".
bool parse_level(std::string_view text, Level& out);

/// One log line, written when destroyed.
class Line {
  public:
    explicit Line(Level level);
    ~Line();
    Line(const Line&) = delete;
    Line& operator=(const Line&) = delete;

    template <typename T>
    Line& operator<<(const T& value) {
        if (enabled_) stream_ << value;
        return *this;
    }

  private:
    Level level_;
    bool enabled_;
    std::ostringstream stream_;
};

}  // namespace fmg::log

#define FMG_LOG(lvl) ::fmg::log::Line(::fmg::log::Level::lvl)
