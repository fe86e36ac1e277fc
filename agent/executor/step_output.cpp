#include "agent/executor/step_output.h"

namespace fmg::agent {

std::string format_duration(std::chrono::milliseconds duration) {
    long long ms = duration.count();
    if (ms == 0) return "0s";
    std::string sign = ms < 0 ? "-" : "";
    if (ms < 0) ms = -ms;
    if (ms < 1000) return sign + std::to_string(ms) + "ms";
    long long hours = ms / 3'600'000;
    long long minutes = ms / 60'000 % 60;
    long long seconds = ms / 1000 % 60;
    long long fraction = ms % 1000;
    std::string text = sign;
    if (hours > 0) text += std::to_string(hours) + "h";
    if (hours > 0 || minutes > 0) text += std::to_string(minutes) + "m";
    text += std::to_string(seconds);
    if (fraction > 0) {
        std::string digits = std::to_string(fraction + 1000).substr(1);  // "050"
        while (digits.back() == '0') digits.pop_back();
        text += "." + digits;
    }
    return text + "s";
}

std::string no_output_timeout_notice(std::chrono::milliseconds timeout) {
    return "step produced no output for " + format_duration(timeout) + "; stopped";
}

StepExit executor_error(StepOutput& output, std::string message) {
    output.notice(message);
    return {StepExit::Kind::error, -1, std::move(message)};
}

void StepOutput::write(std::string_view bytes) {
    if (bytes.empty()) return;
    sink_(bytes);
    at_line_start_ = bytes.back() == '\n';
}

void StepOutput::notice(std::string_view text) {
    std::string line = at_line_start_ ? "" : "\n";
    line += "fmg: ";
    line += text;
    line += "\n";
    sink_(line);
    at_line_start_ = true;
}

}  // namespace fmg::agent
