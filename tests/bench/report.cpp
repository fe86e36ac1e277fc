#include "tests/bench/report.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <sstream>

namespace fmg::bench {
namespace {

std::vector<Figure>& all_figures() {
    static std::vector<Figure> figures;
    return figures;
}

double nearest_rank(const std::vector<double>& sorted, double percentile) {
    const auto rank = static_cast<size_t>(std::ceil(percentile / 100.0 * sorted.size()));
    return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

std::string format_number(double value) {
    std::ostringstream out;
    if (value != 0 && std::fabs(value) < 10)
        out << std::fixed << std::setprecision(2) << value;
    else if (std::fabs(value) < 1000)
        out << std::fixed << std::setprecision(1) << value;
    else
        out << std::fixed << std::setprecision(0) << value;
    return out.str();
}

std::string first_line_of_command(const std::string& command) {
    std::array<char, 512> buffer{};
    std::string text;
    if (FILE* pipe = ::popen(command.c_str(), "r")) {
        if (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) text = buffer.data();
        ::pclose(pipe);
    }
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

}  // namespace

Summary summarize(std::vector<double> samples) {
    Summary summary;
    if (samples.empty()) return summary;
    std::sort(samples.begin(), samples.end());
    summary.count = samples.size();
    summary.min = samples.front();
    summary.max = samples.back();
    summary.median = nearest_rank(samples, 50);
    summary.p99 = nearest_rank(samples, 99);
    return summary;
}

void record(const std::string& scenario, const std::string& metric, const std::string& unit,
            const std::vector<double>& samples, const std::string& target, std::optional<bool> met,
            const std::string& baseline) {
    all_figures().push_back({scenario, metric, unit, summarize(samples), target, met, baseline});
}

const std::vector<Figure>& figures() {
    return all_figures();
}

void print_table(std::ostream& out) {
    std::vector<std::array<std::string, 9>> rows;
    rows.push_back(
        {"scenario", "metric", "n", "min", "median", "p99", "unit", "target", "baseline"});
    for (const Figure& f : figures()) {
        const bool single = f.summary.count == 1;
        std::string target = f.target;
        if (f.met) target += *f.met ? " (met)" : " (MISSED)";
        rows.push_back({f.scenario, f.metric, std::to_string(f.summary.count),
                        single ? "" : format_number(f.summary.min), format_number(f.summary.median),
                        single ? "" : format_number(f.summary.p99), f.unit, target, f.baseline});
    }
    std::array<size_t, 9> widths{};
    for (const auto& row : rows) {
        for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
    }
    for (size_t r = 0; r < rows.size(); ++r) {
        for (size_t i = 0; i < rows[r].size(); ++i) {
            const bool numeric = i >= 2 && i <= 5;
            out << (numeric ? std::right : std::left) << std::setw(static_cast<int>(widths[i]))
                << rows[r][i] << (i + 1 < rows[r].size() ? "  " : "\n");
        }
        if (r == 0) {
            size_t total = 0;
            for (size_t w : widths) total += w + 2;
            out << std::string(total - 2, '-') << "\n";
        }
    }
}

Machine describe_machine(const std::string& source_dir) {
    Machine machine;
    machine.cores = static_cast<unsigned>(::sysconf(_SC_NPROCESSORS_ONLN));
    machine.memory_gib = static_cast<double>(::sysconf(_SC_PHYS_PAGES)) *
                         static_cast<double>(::sysconf(_SC_PAGESIZE)) / (1024.0 * 1024 * 1024);
    std::ifstream cpuinfo("/proc/cpuinfo");
    for (std::string line; std::getline(cpuinfo, line);) {
        if (line.rfind("model name", 0) == 0) {
            machine.cpu_model = line.substr(line.find(':') + 2);
            break;
        }
    }
    utsname names{};
    if (::uname(&names) == 0) machine.kernel = std::string(names.sysname) + " " + names.release;
    machine.commit =
        first_line_of_command("git -C '" + source_dir + "' rev-parse --short=12 HEAD 2>/dev/null");
    if (machine.commit.empty()) machine.commit = "unknown";
    return machine;
}

bool write_json(const std::string& path, const Machine& machine, const std::string& started_at) {
    Poco::JSON::Object root;
    Poco::JSON::Object::Ptr host = new Poco::JSON::Object;
    host->set("cores", machine.cores);
    host->set("memory_gib", std::round(machine.memory_gib * 10) / 10);
    host->set("cpu_model", machine.cpu_model);
    host->set("kernel", machine.kernel);
    host->set("commit", machine.commit);
    root.set("machine", host);
    root.set("started_at", started_at);
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    for (const Figure& f : figures()) {
        Poco::JSON::Object::Ptr figure = new Poco::JSON::Object;
        figure->set("scenario", f.scenario);
        figure->set("metric", f.metric);
        figure->set("unit", f.unit);
        figure->set("count", f.summary.count);
        figure->set("min", f.summary.min);
        figure->set("median", f.summary.median);
        figure->set("p99", f.summary.p99);
        figure->set("max", f.summary.max);
        figure->set("target", f.target);
        if (f.met) figure->set("met", *f.met);
        figure->set("baseline", f.baseline);
        list->add(figure);
    }
    root.set("figures", list);
    std::ofstream out(path, std::ios::trunc);
    if (!out) return false;
    root.stringify(out, 2);
    out << "\n";
    return static_cast<bool>(out);
}

}  // namespace fmg::bench
