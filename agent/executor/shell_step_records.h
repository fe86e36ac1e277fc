#pragma once
// The shell executor's record of each running step's process group, WORK_DIR/shell-steps/
// attempt-N.pgid, so that an agent started after a crash can kill what the dead one's steps
// left running (as Docker containers labelled fmg.runner are removed at start). A record is
// one line: `BOOT_ID PGID START_TICKS` (the boot, and the group leader's id and start time).
//
// Killing by a recorded id is only safe if the id still names our group: ids are reused.
// A group is ours when one of its live members is the recorded leader (same id and start
// time in the same boot: a unique process), or carries the step marker FMG_ATTEMPT_ID=N in
// its environment (the leader may have been killed on its own). While any member of a group
// lives, its id cannot be given to another group, so one proven member proves them all.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "shared/result.h"

namespace fmg::agent {

/// The variable every process of a shell step inherits: FMG_ATTEMPT_ID=<attempt id>.
inline constexpr const char* kAttemptMarkerVariable = "FMG_ATTEMPT_ID";

/// `FMG_ATTEMPT_ID=N`, as /proc/PID/environ holds it.
std::string attempt_marker(int64_t attempt);

/// WORK_DIR/shell-steps.
std::filesystem::path step_records_directory(const std::filesystem::path& work_dir);

struct StepGroupRecord {
    std::string boot_id;
    pid_t group = 0;           // the process group id, which is its leader's process id
    uint64_t start_ticks = 0;  // the leader's start time (/proc/PID/stat field 22)
};

/// DIR/attempt-N.pgid.
std::filesystem::path step_record_path(const std::filesystem::path& directory, int64_t attempt);

/// Writes the record (to a temporary file renamed into place, so it is whole or absent),
/// creating the directory. Fails with the OS error.
Status write_step_record(const std::filesystem::path& path, const StepGroupRecord& record);

/// Parses a record's text; nullopt when it is not one.
std::optional<StepGroupRecord> parse_step_record(const std::string& text);

/// Kills (SIGKILL) the process groups recorded in `directory` that are still ours (see
/// above), except those of `attempts_to_keep`, and removes their records; records of an
/// earlier boot or unreadable ones are removed too. Returns how many groups it killed.
size_t kill_leftover_step_groups(const std::filesystem::path& directory,
                                 const std::vector<int64_t>& attempts_to_keep);

}  // namespace fmg::agent
