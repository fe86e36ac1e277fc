#pragma once
// Headless Chromium (Debian's `chromium`) driven through the DevTools protocol, for the
// dashboard's tests (docs/dashboard.md): a WebSocket to the browser's first page on Poco, one
// command at a time, the page's events skipped.

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/WebSocket.h>

#include <filesystem>
#include <memory>
#include <string>

#include "tests/support/process.h"

namespace fmg::testing {

class Browser {
  public:
    /// Starts Chromium with a fresh profile under `dir` (its logs there too) and connects to
    /// its page. Fails the test saying what to install when there is no /usr/bin/chromium.
    explicit Browser(const std::filesystem::path& dir);
    ~Browser();
    Browser(const Browser&) = delete;
    Browser& operator=(const Browser&) = delete;

    /// Loads `url` and waits until its document is complete.
    void open(const std::string& url);
    /// The value of a JavaScript expression in the page (a promise is awaited), converted to
    /// text: a string as it is, a number or boolean as JSON writes it.
    std::string evaluate(const std::string& expression);
    /// Waits until `expression` is true in the page; fails the test saying `what` otherwise.
    void wait_for(const std::string& expression, const std::string& what);
    /// Saves a PNG of what the page shows.
    void screenshot(const std::filesystem::path& file);

  private:
    /// Sends one command and returns its `result`; fails the test on an `error` answer.
    Poco::JSON::Object::Ptr call(const std::string& method, const Poco::JSON::Object::Ptr& params);

    std::filesystem::path dir_;
    std::unique_ptr<Process> process_;
    std::unique_ptr<Poco::Net::HTTPClientSession> session_;
    std::unique_ptr<Poco::Net::WebSocket> socket_;
    int next_id_ = 1;
};

}  // namespace fmg::testing
