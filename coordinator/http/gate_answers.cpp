#include "coordinator/http/gate_answers.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>
#include <sys/socket.h>

#include <sstream>

#include "coordinator/http/constants.h"

namespace fmg::coordinator::http {
namespace {

/// At most this much already-received input is read away before an answer (the head and
/// held body are smaller; more would keep the gate busy for one client).
constexpr size_t kMaxDrainBytes = 256 * 1024;

std::string answer(Poco::Net::HTTPResponse::HTTPStatus status, const std::string& content_type,
                   const std::string& body, const std::string& extra_headers) {
    std::ostringstream out;
    out << "HTTP/1.1 " << static_cast<int>(status) << " "
        << Poco::Net::HTTPResponse::getReasonForStatus(status) << "\r\n"
        << "Content-Type: " << content_type << "\r\n"
        << "Content-Length: " << body.size() << "\r\n"
        << extra_headers << "Connection: close\r\n\r\n"
        << body;
    return out.str();
}

}  // namespace

std::string healthz_answer() {
    return answer(Poco::Net::HTTPResponse::HTTP_OK, "text/plain", "ok\n", "");
}

std::string refusal_answer(Poco::Net::HTTPResponse::HTTPStatus status, const std::string& message) {
    Poco::JSON::Object body;
    body.set("error", message);
    std::ostringstream json;
    Poco::JSON::Stringifier::condense(body, json);
    std::string extra;
    if (status == Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE) {
        extra = "Retry-After: " + std::to_string(kRetryAfterSeconds) + "\r\n";
    }
    return answer(status, "application/json", json.str() + "\n", extra);
}

void answer_and_finish(int fd, const std::string& answer) {
    char scratch[16 * 1024];
    size_t drained = 0;
    while (drained < kMaxDrainBytes) {
        ssize_t n = ::recv(fd, scratch, sizeof scratch, MSG_DONTWAIT);
        if (n <= 0) break;
        drained += static_cast<size_t>(n);
    }
    // Small enough for an empty send buffer; a client that has not read what it was sent so
    // far (it cannot have: nothing was) gets a truncated answer at worst, never a blocked gate.
    [[maybe_unused]] ssize_t sent =
        ::send(fd, answer.data(), answer.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    ::shutdown(fd, SHUT_WR);
}

}  // namespace fmg::coordinator::http
