#pragma once
// What the shell executor reads from /proc to recognise its own step processes after an
// agent restart: a process's group and start time, whether its environment holds a
// marker, the members of a process group, and this boot's id.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fmg::agent {

struct ProcessStat {
    pid_t pid = 0;
    pid_t process_group = 0;
    uint64_t start_ticks = 0;  // when it started, in clock ticks after boot (/proc/PID/stat 22)
    char state = '?';          // 'Z' for a zombie
};

/// /proc/PID/stat of a process; nullopt when there is no such process (or it cannot be
/// parsed).
std::optional<ProcessStat> read_process_stat(pid_t pid);

/// Whether /proc/PID/environ holds exactly the entry `NAME=value`. False when it cannot be
/// read (the process is gone, or belongs to another user).
bool environment_has(pid_t pid, const std::string& entry);

/// Every live process (not a zombie) whose process group is `group`.
std::vector<ProcessStat> processes_in_group(pid_t group);

/// /proc/sys/kernel/random/boot_id: differs after every reboot (process ids and start
/// times mean nothing across one). Empty when unreadable.
std::string current_boot_id();

}  // namespace fmg::agent
