#pragma once
// The rules of the log cap, as pure functions: how much of a log is kept at its head and at
// its tail, where the cuts fall, and the line that stands for what was left out. The store
// (log_store.h) writes by them and the reader (log_view.h) shows by them, so both agree.

#include <cstdint>
#include <string>
#include <string_view>

namespace fmg::coordinator {

/// --log-cap: 64 MiB by default; less than 64 KiB would keep too little to read.
constexpr int64_t kDefaultLogCapBytes = int64_t{64} * 1024 * 1024;
constexpr int64_t kMinLogCapBytes = int64_t{64} * 1024;
constexpr int64_t kMaxLogCapBytes = int64_t{1024} * 1024 * 1024 * 1024;

/// Bytes kept at the start of a log: the first half of the cap.
int64_t log_head_limit(int64_t cap);

/// Bytes of output kept at the end of a log over its cap: the other half.
int64_t log_tail_keep(int64_t cap);

/// How far a cut may move to fall on a line boundary: a 64th of the cap, at most 8 KiB.
int64_t log_line_slack(int64_t cap);

/// How many bytes of `chunk`, which does not fit in the `room` bytes left in a head, still
/// go into the head: up to and including its last newline before the limit when that
/// newline is at most `slack` bytes before it, else exactly `room` (a line that long is cut).
size_t head_cut(std::string_view chunk, int64_t room, int64_t slack);

/// Where the kept tail starts in `window` (the first bytes of the tail after the raw cut):
/// just past its first newline within `slack` bytes, else 0 (the tail starts mid-line).
size_t tail_line_start(std::string_view window, int64_t slack);

/// "64 MiB", "96 KiB", "70000 bytes": a cap as people set it.
std::string format_byte_size(int64_t bytes);

/// The line that stands for `omitted` bytes left out between head and tail; it starts with a
/// newline when the head does not end with one, so it is always a line of its own.
std::string omission_marker(int64_t omitted, int64_t cap, bool head_ends_with_newline);

/// What a follower of a running log reads once it has the whole head: the rest is held back
/// and only its last part will follow, when the attempt ends.
std::string held_back_notice(int64_t cap, bool head_ends_with_newline);

}  // namespace fmg::coordinator
