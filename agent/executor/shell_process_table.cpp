#include "agent/executor/shell_process_table.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

namespace fmg::agent {
namespace {

std::string read_whole(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

template <typename Number>
bool parse_number(const std::string& text, Number& out) {
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::optional<ProcessStat> read_process_stat(pid_t pid) {
    std::string text = read_whole("/proc/" + std::to_string(pid) + "/stat");
    // "PID (COMM) STATE PPID PGRP ...": COMM may hold spaces and parentheses, so the fields
    // are counted from the last ')'.
    size_t close = text.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream fields(text.substr(close + 1));
    std::vector<std::string> after_comm;
    for (std::string field; fields >> field;) after_comm.push_back(field);
    // after_comm[0] is field 3 (state); field N is after_comm[N - 3].
    if (after_comm.size() < 20 || after_comm[0].size() != 1) return std::nullopt;
    ProcessStat stat;
    stat.pid = pid;
    stat.state = after_comm[0][0];
    if (!parse_number(after_comm[5 - 3], stat.process_group) ||
        !parse_number(after_comm[22 - 3], stat.start_ticks)) {
        return std::nullopt;
    }
    return stat;
}

bool environment_has(pid_t pid, const std::string& entry) {
    std::string environ = read_whole("/proc/" + std::to_string(pid) + "/environ");
    size_t start = 0;
    while (start < environ.size()) {
        size_t end = environ.find('\0', start);
        if (end == std::string::npos) end = environ.size();
        if (environ.compare(start, end - start, entry) == 0) return true;
        start = end + 1;
    }
    return false;
}

std::vector<ProcessStat> processes_in_group(pid_t group) {
    std::vector<ProcessStat> members;
    std::error_code error;
    for (std::filesystem::directory_iterator it("/proc", error), end; !error && it != end;
         it.increment(error)) {
        pid_t pid = 0;
        if (!parse_number(it->path().filename().string(), pid)) continue;
        auto stat = read_process_stat(pid);  // gone meanwhile: skipped
        if (stat && stat->process_group == group && stat->state != 'Z') members.push_back(*stat);
    }
    return members;
}

std::string current_boot_id() {
    std::string id = read_whole("/proc/sys/kernel/random/boot_id");
    while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
    return id;
}

}  // namespace fmg::agent
