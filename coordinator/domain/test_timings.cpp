#include "coordinator/domain/test_timings.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace fmg::coordinator {

std::string test_timings_value(const std::vector<TimedTest>& tests, size_t max_bytes) {
    std::map<std::string, int64_t> by_file;
    std::map<std::string, int64_t> by_class;
    for (const TimedTest& test : tests) {
        if (!test.file.empty()) by_file[test.file] += test.duration_ms;
        if (!test.classname.empty()) by_class[test.classname] += test.duration_ms;
    }
    // (duration, kind, name), longest first; equal ones in name order for a stable value.
    std::vector<std::tuple<int64_t, std::string, std::string>> lines;
    for (const auto& [name, ms] : by_file) lines.emplace_back(ms, "file", name);
    for (const auto& [name, ms] : by_class) lines.emplace_back(ms, "classname", name);
    std::stable_sort(lines.begin(), lines.end(),
                     [](const auto& a, const auto& b) { return std::get<0>(a) > std::get<0>(b); });
    std::string value;
    for (const auto& [ms, kind, name] : lines) {
        if (name.find_first_of(std::string("\t\n\r\0", 4)) != std::string::npos) continue;
        std::string line = kind + "\t" + name + "\t" + std::to_string(ms) + "\n";
        if (value.size() + line.size() > max_bytes) break;
        value += line;
    }
    return value;
}

}  // namespace fmg::coordinator
