#pragma once
// What a job must respect so that its `assign` frame is one the agent accepts: the limits of
// the agent protocol (PROTOCOL.md section 5, shared/wire_limits.h), checked while the config
// is parsed so the error can point at the offending value. Without these checks a config
// that parses could make a frame the agent drops, and the attempt would hold a runner slot.
// Internal to shared/pipeline/.

#include <cstddef>
#include <string_view>

#include "shared/pipeline/config.h"
#include "shared/pipeline/yaml_reader.h"

namespace fmg::pipeline::detail {

/// Fails, at `at`, when `text` is longer than `max_bytes` (a kMax...Bytes of wire_limits.h,
/// named by `limit_name` in the message): "`command` is 300000 bytes; the agent protocol
/// allows at most 262144 (kMaxTextBytes)". `what` names the value ("`command`").
Problem check_wire_bytes(YamlReader& reader, const Node& at, std::string_view what,
                         std::string_view text, std::size_t max_bytes, std::string_view limit_name);

/// Fails, at `at`, when a list or map of `count` items holds more than `max_items`.
Problem check_wire_count(YamlReader& reader, const Node& at, std::string_view what,
                         std::size_t count, std::size_t max_items, std::string_view limit_name);

/// An upper bound of the size in bytes of the msgpack frame of an `assign` for `job`, with
/// the fields the config does not know (repo URL, ref, sha, ids, the job timeout) at the
/// largest the protocol allows and the job's name at the largest a config allows. A job whose
/// bound is at most kMaxFrameBytes fits whatever repository it is pushed to.
std::size_t assign_frame_bound(const Job& job);

/// Fails, at the job's key `at`, when assign_frame_bound(job) exceeds kMaxFrameBytes.
Problem check_assign_fits(YamlReader& reader, const Node& at, const Job& job);

}  // namespace fmg::pipeline::detail
