#pragma once
// Splits the multiplexed stream of a non-TTY `exec start` (Docker Engine API, "Stream
// format"): frames of an 8-byte header {stream type, 0, 0, 0, big-endian uint32 size}
// followed by that many bytes. Payload is handed on as it arrives, not frame by frame, so a
// step's output reaches the log while a large frame is still being received.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "shared/result.h"

namespace fmg::agent::docker {

enum class StreamType : uint8_t { stdin_stream = 0, stdout_stream = 1, stderr_stream = 2 };

class StreamDemuxer {
  public:
    using Sink = std::function<void(StreamType, std::string_view payload)>;

    /// Consumes `bytes`, calling `sink` with each piece of payload (possibly several pieces
    /// for one frame). Fails on a header that is not Docker's (unknown stream type or
    /// non-zero padding), which means the stream is not multiplexed.
    Status feed(std::string_view bytes, const Sink& sink);

    /// True when the stream stopped between frames (no partial header or payload pending).
    bool at_frame_boundary() const { return header_size_ == 0 && remaining_ == 0; }

  private:
    static constexpr size_t kHeaderSize = 8;

    std::array<uint8_t, kHeaderSize> header_{};
    size_t header_size_ = 0;  // header bytes received so far
    StreamType current_ = StreamType::stdout_stream;
    uint32_t remaining_ = 0;  // payload bytes of the current frame still to come
};

}  // namespace fmg::agent::docker
