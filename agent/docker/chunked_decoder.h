#pragma once
// Decodes an HTTP/1.1 chunked body (RFC 9112 section 7.1) incrementally, as bytes arrive
// from a socket, so a streamed response (Docker's pull progress) is readable line by line.

#include <cstddef>
#include <string>
#include <string_view>

#include "shared/result.h"

namespace fmg::agent::docker {

class ChunkedDecoder {
  public:
    /// Decodes as much of `input` as possible, appending the payload to `out`. Returns how
    /// many bytes of `input` were consumed: all of them, unless the body ended inside it.
    /// Fails on malformed framing (a bad chunk size or a missing CRLF).
    Result<size_t> feed(std::string_view input, std::string& out);

    /// True once the last chunk and the trailer section were read.
    bool done() const { return state_ == State::done; }

  private:
    enum class State { size_line, data, data_end, trailer, done };
    Status end_size_line();

    State state_ = State::size_line;
    std::string line_;  // the size or trailer line read so far
    size_t remaining_ = 0;
};

}  // namespace fmg::agent::docker
