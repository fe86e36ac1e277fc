#pragma once

#include <Poco/Net/HTTPRequestHandler.h>

#include "coordinator/http/http_context.h"

namespace fmg::coordinator::http {

/// POST /webhook: GitHub deliveries, checked with HMAC-SHA256, de-duplicated by delivery id.
/// A pipeline is answered 202 only after its row is committed.
class WebhookHandler : public Poco::Net::HTTPRequestHandler {
  public:
    explicit WebhookHandler(HttpContext& context) : context_(context) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override;

  private:
    HttpContext& context_;
};

}  // namespace fmg::coordinator::http
