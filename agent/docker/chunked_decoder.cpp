#include "agent/docker/chunked_decoder.h"

#include <algorithm>

namespace fmg::agent::docker {
namespace {

// A chunk size line longer than this is not HTTP from Docker.
constexpr size_t kMaxLineLength = 4096;

}  // namespace

Status ChunkedDecoder::end_size_line() {
    // "1a;name=value" -> 0x1a; extensions are ignored.
    std::string_view digits(line_);
    digits = digits.substr(0, digits.find(';'));
    while (!digits.empty() && (digits.back() == ' ' || digits.back() == '\t')) {
        digits.remove_suffix(1);
    }
    if (digits.empty() || digits.size() > 15) {
        return Error{"bad chunk size line: \"" + line_ + "\""};
    }
    size_t size = 0;
    for (char c : digits) {
        int value;
        if (c >= '0' && c <= '9') {
            value = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            value = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            value = c - 'A' + 10;
        } else {
            return Error{"bad chunk size line: \"" + line_ + "\""};
        }
        size = size * 16 + static_cast<size_t>(value);
    }
    line_.clear();
    remaining_ = size;
    state_ = size == 0 ? State::trailer : State::data;
    return {};
}

Result<size_t> ChunkedDecoder::feed(std::string_view input, std::string& out) {
    size_t pos = 0;
    while (pos < input.size() && state_ != State::done) {
        switch (state_) {
            case State::size_line:
            case State::trailer: {
                char c = input[pos++];
                if (c != '\n') {
                    if (c != '\r') line_.push_back(c);
                    if (line_.size() > kMaxLineLength) return Error{"chunk line too long"};
                    break;
                }
                if (state_ == State::trailer) {
                    // Trailer fields are ignored; an empty line ends the body.
                    if (line_.empty()) state_ = State::done;
                    line_.clear();
                    break;
                }
                if (Status status = end_size_line(); !status) return status.error();
                break;
            }
            case State::data: {
                size_t take = std::min(remaining_, input.size() - pos);
                out.append(input.substr(pos, take));
                pos += take;
                remaining_ -= take;
                if (remaining_ == 0) state_ = State::data_end;
                break;
            }
            case State::data_end: {
                char c = input[pos++];
                if (c == '\r') break;
                if (c != '\n') return Error{"missing CRLF after chunk data"};
                state_ = State::size_line;
                break;
            }
            case State::done:
                break;
        }
    }
    return pos;
}

}  // namespace fmg::agent::docker
