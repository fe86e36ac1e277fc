#include "agent/executor/shell_step_records.h"

#include <signal.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "agent/executor/shell_process_table.h"
#include "shared/log.h"

namespace fmg::agent {
namespace {

constexpr std::string_view kRecordPrefix = "attempt-";
constexpr std::string_view kRecordSuffix = ".pgid";

// The attempt id in "attempt-N.pgid"; nullopt for any other name.
std::optional<int64_t> attempt_of_record(const std::filesystem::path& path) {
    std::string name = path.filename().string();
    if (name.size() <= kRecordPrefix.size() + kRecordSuffix.size() ||
        name.compare(0, kRecordPrefix.size(), kRecordPrefix) != 0 ||
        name.compare(name.size() - kRecordSuffix.size(), kRecordSuffix.size(), kRecordSuffix) !=
            0) {
        return std::nullopt;
    }
    const char* begin = name.data() + kRecordPrefix.size();
    const char* end = name.data() + name.size() - kRecordSuffix.size();
    int64_t attempt = 0;
    auto [stop, error] = std::from_chars(begin, end, attempt);
    if (error != std::errc() || stop != end) return std::nullopt;
    return attempt;
}

// Whether a live member of `record`'s group proves the group is still the step's.
bool group_is_ours(const StepGroupRecord& record, int64_t attempt) {
    const std::string marker = attempt_marker(attempt);
    for (const ProcessStat& member : processes_in_group(record.group)) {
        if (member.pid == record.group && member.start_ticks == record.start_ticks) return true;
        if (environment_has(member.pid, marker)) return true;
    }
    return false;
}

void remove_record(const std::filesystem::path& path) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
}

}  // namespace

std::string attempt_marker(int64_t attempt) {
    return std::string(kAttemptMarkerVariable) + "=" + std::to_string(attempt);
}

std::filesystem::path step_records_directory(const std::filesystem::path& work_dir) {
    return work_dir / "shell-steps";
}

std::filesystem::path step_record_path(const std::filesystem::path& directory, int64_t attempt) {
    return directory /
           (std::string(kRecordPrefix) + std::to_string(attempt) + std::string(kRecordSuffix));
}

Status write_step_record(const std::filesystem::path& path, const StepGroupRecord& record) {
    std::error_code error;
    std::filesystem::create_directories(path.parent_path(), error);
    if (error) {
        return Error{"cannot create " + path.parent_path().string() + ": " + error.message()};
    }
    std::filesystem::path temporary = path;
    temporary += ".new";
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << record.boot_id << ' ' << record.group << ' ' << record.start_ticks << '\n';
        out.flush();
        if (!out) return Error{"cannot write " + temporary.string()};
    }
    std::filesystem::rename(temporary, path, error);
    if (error) {
        remove_record(temporary);
        return Error{"cannot write " + path.string() + ": " + error.message()};
    }
    return {};
}

std::optional<StepGroupRecord> parse_step_record(const std::string& text) {
    std::istringstream in(text);
    StepGroupRecord record;
    std::string rest;
    if (!(in >> record.boot_id >> record.group >> record.start_ticks) || (in >> rest)) {
        return std::nullopt;
    }
    if (record.boot_id.empty() || record.group <= 1) return std::nullopt;
    return record;
}

size_t kill_leftover_step_groups(const std::filesystem::path& directory,
                                 const std::vector<int64_t>& attempts_to_keep) {
    const std::set<int64_t> keep(attempts_to_keep.begin(), attempts_to_keep.end());
    const std::string boot_id = current_boot_id();
    size_t killed = 0;
    std::error_code error;
    for (std::filesystem::directory_iterator it(directory, error), end; !error && it != end;
         it.increment(error)) {
        const std::filesystem::path path = it->path();
        auto attempt = attempt_of_record(path);
        if (!attempt) {
            remove_record(path);  // a temporary file a crash left half-written
            continue;
        }
        if (keep.count(*attempt)) continue;
        std::ifstream in(path);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        auto record = parse_step_record(text);
        if (record && !boot_id.empty() && record->boot_id == boot_id &&
            group_is_ours(*record, *attempt)) {
            if (::kill(-record->group, SIGKILL) == 0) {
                FMG_LOG(info) << "attempt=" << *attempt
                              << " killed the step processes an earlier agent run left (process "
                                 "group "
                              << record->group << ")";
                ++killed;
            }
        }
        remove_record(path);
    }
    return killed;
}

}  // namespace fmg::agent
