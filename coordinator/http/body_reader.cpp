#include "coordinator/http/body_reader.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/StreamSocket.h>

#include <algorithm>
#include <array>
#include <optional>

#include "coordinator/constants.h"
#include "coordinator/http/socket_deadlines.h"

namespace fmg::coordinator::http {
namespace {

using SteadyClock = std::chrono::steady_clock;

/// Bounds every receive of one body by its deadline: sets the socket's receive timeout to the
/// time left before each read, and arms the SocketDeadlines backstop for reads that loop over
/// several receives inside Poco. Restores the server's own receive timeout when done.
class BodySocketLimits {
  public:
    BodySocketLimits(Poco::Net::HTTPServerRequest& request, SocketDeadlines& deadlines,
                     SteadyClock::time_point deadline) {
        // Poco's server hands handlers an HTTPServerRequestImpl; anything else (a test double)
        // reads without socket limits and is bounded only between pieces.
        auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
        if (impl == nullptr) return;
        try {
            saved_ = impl->socket().getReceiveTimeout();
            socket_ = &impl->socket();
        } catch (const Poco::Exception&) {
            return;  // no socket left: every read ends at once anyway
        }
        armed_.emplace(deadlines.arm(*socket_, deadline));
    }
    ~BodySocketLimits() {
        armed_.reset();
        if (socket_ == nullptr || !saved_) return;
        try {
            socket_->setReceiveTimeout(*saved_);
        } catch (const Poco::Exception&) {
            // The connection is already gone: nothing to restore.
        }
    }
    BodySocketLimits(const BodySocketLimits&) = delete;
    BodySocketLimits& operator=(const BodySocketLimits&) = delete;

    /// The next receive waits at most `left` (at least 1 ms: a zero timeout means "forever").
    void limit(SteadyClock::duration left) {
        if (socket_ == nullptr) return;
        const auto micros = std::max<int64_t>(
            1000, std::chrono::duration_cast<std::chrono::microseconds>(left).count());
        socket_->setReceiveTimeout(Poco::Timespan(micros));
    }

  private:
    Poco::Net::StreamSocket* socket_ = nullptr;
    std::optional<Poco::Timespan> saved_;
    std::optional<SocketDeadlines::Armed> armed_;
};

}  // namespace

std::chrono::milliseconds body_deadline(size_t bytes) {
    return kBodyDeadlineFloor + std::chrono::milliseconds(bytes * 1000 / kBodyMinRate);
}

BodyEnd read_body_pieces(Poco::Net::HTTPServerRequest& request, SocketDeadlines& deadlines,
                         size_t max_bytes, const std::function<bool(std::string_view)>& on_piece) {
    const bool has_length = request.hasContentLength();
    const auto length = has_length ? request.getContentLength64() : Poco::Int64{-1};
    if (has_length && (length < 0 || static_cast<uint64_t>(length) > max_bytes)) {
        return BodyEnd::too_large;
    }
    const auto deadline =
        SteadyClock::now() + body_deadline(has_length ? static_cast<size_t>(length) : max_bytes);
    BodySocketLimits limits(request, deadlines, deadline);
    // Reading the stream buffer directly, one receive at a time: istream::read would loop over
    // many receives within one call, each allowed the whole timeout, and it turns a socket
    // timeout into a silent end of stream.
    std::streambuf& in = *request.stream().rdbuf();
    std::array<char, kBodyPieceBytes> piece{};
    size_t total = 0;
    try {
        for (;;) {
            const auto left = deadline - SteadyClock::now();
            if (left <= SteadyClock::duration::zero()) return BodyEnd::timed_out;
            std::streamsize available = in.in_avail();
            if (available <= 0) {
                limits.limit(left);
                if (in.sgetc() == std::char_traits<char>::eof()) break;
                available = in.in_avail();
                if (available <= 0) available = 1;  // sgetc made one byte readable
            }
            const auto wanted = static_cast<std::streamsize>(
                std::min({static_cast<size_t>(available), piece.size(), max_bytes + 1 - total}));
            const std::streamsize got = in.sgetn(piece.data(), wanted);
            if (got <= 0) break;
            total += static_cast<size_t>(got);
            if (total > max_bytes) return BodyEnd::too_large;
            if (!on_piece(std::string_view(piece.data(), static_cast<size_t>(got)))) {
                return BodyEnd::stopped;
            }
        }
    } catch (const Poco::TimeoutException&) {
        return BodyEnd::timed_out;
    } catch (const Poco::Exception&) {
        // A reset connection or broken chunked framing.
        return SteadyClock::now() >= deadline ? BodyEnd::timed_out : BodyEnd::truncated;
    }
    // An end of stream at the deadline is the backstop's doing (SocketDeadlines), not the
    // body's end.
    if (SteadyClock::now() >= deadline) return BodyEnd::timed_out;
    if (has_length && total < static_cast<uint64_t>(length)) return BodyEnd::truncated;
    return BodyEnd::complete;
}

}  // namespace fmg::coordinator::http
