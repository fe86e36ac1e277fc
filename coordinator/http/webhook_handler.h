#pragma once

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPResponse.h>

#include <functional>
#include <optional>
#include <string>

#include "coordinator/http/http_context.h"

namespace fmg::coordinator::http {

/// POST /webhook: GitHub deliveries, checked with HMAC-SHA256, de-duplicated by delivery id.
/// A pipeline is answered 202 only after its row is committed. A delivery without a
/// well-formed signature, or when no secret is configured, is refused before its body is
/// read; bodies are read against a memory budget shared by all unauthenticated requests and a
/// deadline (docs/security.md, "Webhook bodies before authentication").
class WebhookHandler : public Poco::Net::HTTPRequestHandler {
  public:
    explicit WebhookHandler(HttpContext& context) : context_(context) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override;

  private:
    using Refuse = std::function<void(Poco::Net::HTTPResponse::HTTPStatus, const std::string&,
                                      const std::string&)>;
    /// The body, once its whole length arrived and its HMAC matched the signature header;
    /// otherwise answers the refusal through `refuse` (401, 408, 413, 503 with Retry-After,
    /// or 400) and returns nullopt.
    std::optional<std::string> read_signed_body(Poco::Net::HTTPServerRequest& request,
                                                Poco::Net::HTTPServerResponse& response,
                                                const Refuse& refuse);

    HttpContext& context_;
};

}  // namespace fmg::coordinator::http
