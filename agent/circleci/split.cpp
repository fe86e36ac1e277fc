#include "agent/circleci/split.h"

#include <algorithm>
#include <charconv>

namespace fmg::agent::circleci {
namespace {

// More nodes than CircleCI's parallelism allows, so a typo stands out.
constexpr std::size_t kMaxNodes = 1'000'000;

constexpr const char* kTimingsTypes[] = {"filename", "classname", "testname", "autodetect"};

std::vector<std::string> sorted_unique(std::vector<std::string> names) {
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

std::optional<std::size_t> parse_count(const std::string& text) {
    std::size_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
        value > kMaxNodes) {
        return std::nullopt;
    }
    return value;
}

std::optional<SplitBy> parse_split_by(const std::string& text) {
    if (text == "name") return SplitBy::name;
    if (text == "filesize") return SplitBy::filesize;
    if (text == "timings") return SplitBy::timings;
    return std::nullopt;
}

}  // namespace

std::variant<SplitRequest, std::string> parse_split_arguments(
    const std::vector<std::string>& args, const EnvironmentLookup& environment) {
    SplitRequest request;
    std::optional<std::string> index_text;
    std::optional<std::string> total_text;
    std::string index_source = "--index";
    std::string total_source = "--total";
    for (std::size_t at = 0; at < args.size(); ++at) {
        const std::string& arg = args[at];
        if (!arg.starts_with("--") || arg == "--") {
            if (arg == "--") continue;
            if (request.file)
                return "give at most one FILE (got " + *request.file + " and " + arg + ")";
            request.file = arg;
            continue;
        }
        std::string flag = arg;
        std::optional<std::string> value;
        if (auto equals = arg.find('='); equals != std::string::npos) {
            flag = arg.substr(0, equals);
            value = arg.substr(equals + 1);
        }
        if (flag == "--show-counts") {
            if (value) return "--show-counts takes no value";
            request.show_counts = true;
            continue;
        }
        if (flag != "--split-by" && flag != "--index" && flag != "--total" &&
            flag != "--timings-type" && flag != "--timings-file") {
            return "unknown option " + flag +
                   " (known: --split-by, --index, --total, --timings-type, --timings-file, "
                   "--show-counts)";
        }
        if (!value) {
            if (at + 1 >= args.size()) return flag + " needs a value";
            value = args[++at];
        }
        if (flag == "--split-by") {
            auto by = parse_split_by(*value);
            if (!by) return "--split-by must be name, filesize or timings, not '" + *value + "'";
            request.by = *by;
        } else if (flag == "--index") {
            index_text = *value;
        } else if (flag == "--total") {
            total_text = *value;
        } else if (flag == "--timings-type") {
            if (std::find(std::begin(kTimingsTypes), std::end(kTimingsTypes), *value) ==
                std::end(kTimingsTypes)) {
                return "--timings-type must be filename, classname, testname or autodetect, "
                       "not '" +
                       *value + "'";
            }
            request.timings_type = *value;
        }
        // --timings-file: CircleCI's own store of timings; fmg hands its own over in
        // FMG_TEST_TIMINGS instead.
    }
    if (const char* timings = environment("FMG_TEST_TIMINGS")) {
        request.timings = parse_test_timings(timings);
    }
    if (!index_text) {
        if (const char* from_environment = environment("CIRCLE_NODE_INDEX")) {
            index_text = from_environment;
            index_source = "CIRCLE_NODE_INDEX";
        }
    }
    if (!total_text) {
        if (const char* from_environment = environment("CIRCLE_NODE_TOTAL")) {
            total_text = from_environment;
            total_source = "CIRCLE_NODE_TOTAL";
        }
    }
    if (total_text) {
        auto total = parse_count(*total_text);
        if (!total || *total == 0) {
            return total_source + " must be a whole number from 1 to " + std::to_string(kMaxNodes) +
                   ", not '" + *total_text + "'";
        }
        request.total = *total;
    }
    if (index_text) {
        auto index = parse_count(*index_text);
        if (!index) {
            return index_source + " must be a whole number, not '" + *index_text + "'";
        }
        request.index = *index;
    }
    if (request.index >= request.total) {
        return index_source + " " + std::to_string(request.index) + " is not below " +
               total_source + " " + std::to_string(request.total) + " (nodes count from 0)";
    }
    return request;
}

std::vector<std::string> read_names(std::istream& input) {
    std::vector<std::string> names;
    std::string name;
    while (input >> name) names.push_back(name);
    return names;
}

std::vector<std::string> split_by_name(std::vector<std::string> names, std::size_t index,
                                       std::size_t total) {
    names = sorted_unique(std::move(names));
    const std::size_t share = names.size() / total;
    const std::size_t larger = names.size() % total;  // blocks with one more name
    const std::size_t start = index * share + std::min(index, larger);
    const std::size_t count = share + (index < larger ? 1 : 0);
    return {names.begin() + static_cast<std::ptrdiff_t>(start),
            names.begin() + static_cast<std::ptrdiff_t>(start + count)};
}

std::vector<std::string> split_by_weight(
    std::vector<std::string> names, std::size_t index, std::size_t total,
    const std::function<std::uint64_t(const std::string&)>& weight) {
    names = sorted_unique(std::move(names));
    std::vector<std::pair<std::uint64_t, std::string>> weighted;
    weighted.reserve(names.size());
    for (auto& name : names) weighted.emplace_back(weight(name), std::move(name));
    // Heaviest first; equal weights in name order.
    std::stable_sort(weighted.begin(), weighted.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    struct Load {
        std::uint64_t weight = 0;
        std::size_t names = 0;
    };
    std::vector<Load> loads(total);
    std::vector<std::string> mine;
    for (auto& [amount, name] : weighted) {
        std::size_t lightest = 0;
        for (std::size_t node = 1; node < total; ++node) {
            const Load& a = loads[node];
            const Load& b = loads[lightest];
            if (a.weight < b.weight || (a.weight == b.weight && a.names < b.names)) lightest = node;
        }
        loads[lightest].weight += amount;
        loads[lightest].names += 1;
        if (lightest == index) mine.push_back(std::move(name));
    }
    std::sort(mine.begin(), mine.end());
    return mine;
}

std::vector<std::string> split_by_filesize(std::vector<std::string> names, std::size_t index,
                                           std::size_t total, const FileSizeLookup& file_size) {
    return split_by_weight(std::move(names), index, total,
                           [&](const std::string& name) { return file_size(name).value_or(0); });
}

TestTimings parse_test_timings(std::string_view value) {
    TestTimings timings;
    while (!value.empty()) {
        const size_t end = value.find('\n');
        std::string_view line = value.substr(0, end);
        value = end == std::string_view::npos ? std::string_view() : value.substr(end + 1);
        const size_t first = line.find('\t');
        const size_t second = first == std::string_view::npos ? first : line.find('\t', first + 1);
        if (second == std::string_view::npos) continue;
        const std::string_view kind = line.substr(0, first);
        std::string name(line.substr(first + 1, second - first - 1));
        const std::string_view ms_text = line.substr(second + 1);
        std::int64_t ms = 0;
        auto [at, ec] = std::from_chars(ms_text.data(), ms_text.data() + ms_text.size(), ms);
        if (ec != std::errc() || at != ms_text.data() + ms_text.size() || ms < 0) continue;
        if (kind == "file") {
            if (name.rfind("./", 0) == 0) name.erase(0, 2);
            timings.by_file[name] += ms;
        } else if (kind == "classname") {
            timings.by_class[name] += ms;
        }
    }
    return timings;
}

namespace {

/// The timings `type` reads: files, classes, or for autodetect whichever knows more of the
/// names. testname: none (fmg keeps timings per file and class).
const std::map<std::string, std::int64_t>* timings_of_type(const TestTimings& timings,
                                                           const std::string& type,
                                                           const std::vector<std::string>& names) {
    auto known = [&names](const std::map<std::string, std::int64_t>& map) {
        return std::count_if(names.begin(), names.end(), [&](const std::string& name) {
            return map.count(name.rfind("./", 0) == 0 ? name.substr(2) : name) > 0;
        });
    };
    if (type == "filename") return &timings.by_file;
    if (type == "classname") return &timings.by_class;
    if (type == "autodetect") {
        return known(timings.by_file) >= known(timings.by_class) ? &timings.by_file
                                                                 : &timings.by_class;
    }
    return nullptr;
}

}  // namespace

SplitResult split_names(const SplitRequest& request, const std::vector<std::string>& names,
                        const FileSizeLookup& file_size) {
    SplitResult result;
    SplitBy by = request.by;
    if (by == SplitBy::timings) {
        const auto* timings = timings_of_type(request.timings, request.timings_type, names);
        auto timing_of = [timings](const std::string& name) -> std::optional<std::int64_t> {
            if (timings == nullptr) return std::nullopt;
            auto found = timings->find(name.rfind("./", 0) == 0 ? name.substr(2) : name);
            if (found == timings->end()) return std::nullopt;
            return found->second;
        };
        std::int64_t known = 0;
        std::int64_t known_ms = 0;
        const auto unique = sorted_unique(names);
        for (const auto& name : unique) {
            if (auto ms = timing_of(name)) {
                ++known;
                known_ms += *ms;
            }
        }
        if (known > 0) {
            const std::int64_t average = known_ms / known;
            if (known < static_cast<std::int64_t>(unique.size())) {
                result.notices.push_back(
                    std::to_string(unique.size() - static_cast<size_t>(known)) + " of " +
                    std::to_string(unique.size()) +
                    " names have no timing from an earlier run; each counts as the average, " +
                    std::to_string(average) + " ms");
            }
            result.names =
                split_by_weight(names, request.index, request.total, [&](const std::string& n) {
                    return static_cast<std::uint64_t>(timing_of(n).value_or(average));
                });
        } else {
            const bool all_files = std::all_of(names.begin(), names.end(), [&](const auto& name) {
                return file_size(name).has_value();
            });
            by = all_files && !names.empty() ? SplitBy::filesize : SplitBy::name;
            result.notices.push_back(
                "no timings of these names from an earlier run of this job (its "
                "store_test_results keep them; --timings-type=" +
                request.timings_type + "); splitting by " +
                (by == SplitBy::filesize ? "file size (the names are files)"
                                         : "name (the names are not all files)") +
                " instead");
        }
    }
    if (by != SplitBy::timings) {
        result.names = by == SplitBy::filesize
                           ? split_by_filesize(names, request.index, request.total, file_size)
                           : split_by_name(names, request.index, request.total);
    }
    if (request.show_counts) {
        std::size_t all = sorted_unique(names).size();
        result.notices.push_back(
            "node " + std::to_string(request.index) + " of " + std::to_string(request.total) +
            ": " + std::to_string(result.names.size()) + " of " + std::to_string(all) + " names");
    }
    return result;
}

}  // namespace fmg::agent::circleci
