#pragma once
// The answers the gate (http/gate.h) gives itself, without a worker: /healthz, and the
// refusals (400, 408, 431, 503). Each is small enough for the socket's send buffer, so it is
// written at once without blocking the gate, or not at all.

#include <Poco/Net/HTTPResponse.h>

#include <string>

namespace fmg::coordinator::http {

/// "200 ok\n" as GET /healthz answers it.
std::string healthz_answer();

/// A complete HTTP/1.1 answer with `Connection: close` and `{"error": message}` as its body;
/// 503s carry Retry-After (kRetryAfterSeconds).
std::string refusal_answer(Poco::Net::HTTPResponse::HTTPStatus status, const std::string& message);

/// Reads and drops what the client sent that is already buffered (so closing sends FIN, not
/// a reset that could destroy the answer before the client reads it), writes `answer` without
/// blocking, and shuts the sending side. The caller closes the socket. Never throws.
void answer_and_finish(int fd, const std::string& answer);

}  // namespace fmg::coordinator::http
