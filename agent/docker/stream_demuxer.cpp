#include "agent/docker/stream_demuxer.h"

#include <algorithm>
#include <string>

namespace fmg::agent::docker {

Status StreamDemuxer::feed(std::string_view bytes, const Sink& sink) {
    size_t pos = 0;
    while (pos < bytes.size()) {
        if (remaining_ > 0) {
            size_t take = std::min<size_t>(remaining_, bytes.size() - pos);
            sink(current_, bytes.substr(pos, take));
            pos += take;
            remaining_ -= static_cast<uint32_t>(take);
            continue;
        }
        header_[header_size_++] = static_cast<uint8_t>(bytes[pos++]);
        if (header_size_ < kHeaderSize) continue;
        header_size_ = 0;
        if (header_[0] > 2 || header_[1] != 0 || header_[2] != 0 || header_[3] != 0) {
            return Error{"not a multiplexed Docker stream (frame header starts with byte " +
                         std::to_string(header_[0]) + ")"};
        }
        current_ = static_cast<StreamType>(header_[0]);
        remaining_ = (uint32_t{header_[4]} << 24) | (uint32_t{header_[5]} << 16) |
                     (uint32_t{header_[6]} << 8) | uint32_t{header_[7]};
    }
    return {};
}

}  // namespace fmg::agent::docker
