#pragma once
// The body of `POST /images/create` (a pull): one JSON object per line, e.g.
//   {"status":"Pulling from library/alpine","id":"3.19"}
//   {"status":"Downloading","progressDetail":{"current":1,"total":9},"id":"4abcf2066143"}
//   {"errorDetail":{"message":"..."},"error":"..."}
// A line with "error" means the pull failed, even though the HTTP status was 200.

#include <string>
#include <string_view>
#include <vector>

#include "shared/result.h"

namespace fmg::agent::docker {

struct PullEvent {
    std::string status;            // "Pull complete", "Digest: sha256:..."
    std::string id;                // layer id or tag, may be empty
    std::string error;             // non-empty: the pull failed with this message
    bool progress_update = false;  // a byte-count update of a running download/extraction
};

/// Parses one line of pull output. Fails when the line is not a JSON object.
Result<PullEvent> parse_pull_event(std::string_view line);

/// The line users see in the job log for `event` ("4abcf2066143: Pull complete"), or ""
/// for byte-count updates, which would flood the log.
std::string describe_pull_event(const PullEvent& event);

/// Splits a byte stream into lines (without "\r\n" / "\n"), keeping a partial last line
/// until the rest arrives.
class LineSplitter {
  public:
    /// Appends `bytes` and returns the complete lines they finish; empty lines are dropped.
    std::vector<std::string> feed(std::string_view bytes);
    /// The unterminated remainder, if any (call at end of stream).
    std::string take_rest();

  private:
    std::string partial_;
};

}  // namespace fmg::agent::docker
