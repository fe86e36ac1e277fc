#pragma once
// Reading a request body in pieces against one deadline for the whole body, so that neither
// a large body nor a slow one can hold a worker or memory longer than its length justifies.
// Used for webhooks (before their signature is checked) and for /api/v1 bodies.

#include <Poco/Net/HTTPServerRequest.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <string_view>

#include "coordinator/http/socket_deadlines.h"

namespace fmg::coordinator::http {

/// How a body read ended.
enum class BodyEnd {
    complete,   // every byte arrived (its Content-Length, or a chunked body to its last chunk)
    too_large,  // longer than the limit: nothing read when its Content-Length says so, else
                // reading stopped at the first piece past the limit
    timed_out,  // the deadline passed first (body_deadline)
    truncated,  // the client closed, or broke the chunked framing, before the end
    stopped,    // the caller's on_piece refused a piece
};

/// How long a body of `bytes` may take to arrive: kBodyDeadlineFloor plus `bytes` at
/// kBodyMinRate (coordinator/constants.h, which says why).
std::chrono::milliseconds body_deadline(size_t bytes);

/// Reads the body of `request` in pieces of at most kBodyPieceBytes and hands each to
/// `on_piece` as it arrives; returning false from it stops the read (BodyEnd::stopped).
/// A Content-Length over `max_bytes` is refused before any byte is read. The whole body must
/// arrive within body_deadline(Content-Length) (body_deadline(max_bytes) when chunked),
/// measured from this call: before each receive the socket's receive timeout is set to the
/// time left, so a client trickling bytes cannot stretch it, and `deadlines` shuts the
/// connection's receiving side at the deadline for reads Poco loops over (chunk-size lines);
/// the socket's former timeout is restored on return. Never throws for network errors or malformed
/// framing (they end the read as timed_out or truncated); exceptions from `on_piece` propagate.
BodyEnd read_body_pieces(Poco::Net::HTTPServerRequest& request, SocketDeadlines& deadlines,
                         size_t max_bytes, const std::function<bool(std::string_view)>& on_piece);

}  // namespace fmg::coordinator::http
