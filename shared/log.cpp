#include "shared/log.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <mutex>

#include "shared/time_format.h"

namespace fmg::log {
namespace {

Level initial_level() {
    Level from_env = Level::info;
    if (const char* text = std::getenv("FMG_LOG_LEVEL")) parse_level(text, from_env);
    return from_env;
}

std::atomic<int> current_level{static_cast<int>(initial_level())};
std::mutex component_mutex;
std::string component_name = "fmg";

const char* level_name(Level level) {
    switch (level) {
        case Level::debug:
            return "DEBUG";
        case Level::info:
            return "INFO ";
        case Level::warn:
            return "WARN ";
        case Level::error:
            return "ERROR";
    }
    return "?";
}

}  // namespace

void set_level(Level level) {
    current_level = static_cast<int>(level);
}
Level level() {
    return static_cast<Level>(current_level.load());
}

void set_component(std::string component) {
    std::lock_guard lock(component_mutex);
    component_name = std::move(component);
}

bool parse_level(std::string_view text, Level& out) {
    if (text == "debug")
        out = Level::debug;
    else if (text == "info")
        out = Level::info;
    else if (text == "warn")
        out = Level::warn;
    else if (text == "error")
        out = Level::error;
    else
        return false;
    return true;
}

Line::Line(Level line_level)
    : level_(line_level), enabled_(static_cast<int>(line_level) >= current_level.load()) {}

Line::~Line() {
    if (!enabled_) return;
    std::string component;
    {
        std::lock_guard lock(component_mutex);
        component = component_name;
    }
    std::string text = format_rfc3339_ms(wall_clock_ms()) + " " + level_name(level_) + " " +
                       component + ": " + stream_.str() + "\n";
    // One write per line keeps lines whole when several threads log at once.
    ssize_t ignored = ::write(STDERR_FILENO, text.data(), text.size());
    (void)ignored;
}

}  // namespace fmg::log
