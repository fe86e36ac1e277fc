#include "agent/setup/job_limits.h"

#include <cctype>
#include <string>

#include "agent/executor/docker_constants.h"

namespace fmg::agent {
namespace {

// Digits only, at most 18 of them (no int64_t overflow before the range check).
std::optional<int64_t> parse_digits(std::string_view digits) {
    if (digits.empty() || digits.size() > 18) return std::nullopt;
    int64_t value = 0;
    for (char c : digits) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

std::optional<int64_t> parse_job_memory(std::string_view text) {
    std::string value = lower(text);
    for (const char* suffix : {"ib", "b"}) {
        std::string_view tail(suffix);
        if (value.size() > tail.size() && value.ends_with(tail)) {
            value.resize(value.size() - tail.size());
            break;
        }
    }
    int shift = 0;
    if (!value.empty()) {
        switch (value.back()) {
            case 'k':
                shift = 10;
                break;
            case 'm':
                shift = 20;
                break;
            case 'g':
                shift = 30;
                break;
            case 't':
                shift = 40;
                break;
            default:
                break;
        }
        if (shift > 0) value.pop_back();
    }
    auto number = parse_digits(value);
    if (!number || *number > (kMaxJobMemory >> shift)) return std::nullopt;
    int64_t bytes = *number << shift;
    if (bytes < kMinJobMemory || bytes > kMaxJobMemory) return std::nullopt;
    return bytes;
}

std::optional<int64_t> parse_job_cpus(std::string_view text) {
    size_t dot = text.find('.');
    std::string_view whole = text.substr(0, dot);
    std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
    if (dot != std::string_view::npos && fraction.empty()) return std::nullopt;
    if (fraction.size() > 9 || whole.size() > 6) return std::nullopt;
    auto units = parse_digits(whole);
    if (!units) return std::nullopt;
    int64_t nanos = *units * 1'000'000'000;
    if (!fraction.empty()) {
        auto part = parse_digits(fraction);
        if (!part) return std::nullopt;
        int64_t scaled = *part;
        for (size_t places = fraction.size(); places < 9; ++places) scaled *= 10;
        nanos += scaled;
    }
    if (nanos < static_cast<int64_t>(kMinJobCpus * 1e9) ||
        nanos > static_cast<int64_t>(kMaxJobCpus * 1e9)) {
        return std::nullopt;
    }
    return nanos;
}

options::Validator job_memory_value() {
    return [](std::string_view text) -> std::optional<std::string> {
        if (parse_job_memory(text)) return std::nullopt;
        return "a size in bytes, or with k, m, g or t (e.g. 512m, 2g), of at least 6m";
    };
}

options::Validator job_cpus_value() {
    return [](std::string_view text) -> std::optional<std::string> {
        if (parse_job_cpus(text)) return std::nullopt;
        return "a number of CPUs from 0.01 to 4096, e.g. 2 or 1.5";
    };
}

}  // namespace fmg::agent
