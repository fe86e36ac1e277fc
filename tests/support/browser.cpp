#include "tests/support/browser.h"

#include <Poco/Buffer.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "shared/crypto.h"
#include "tests/support/http_client.h"
#include "tests/support/wait.h"

namespace fmg::testing {
namespace {

constexpr const char* kChromium = "/usr/bin/chromium";
constexpr std::chrono::seconds kStartLimit{60};
constexpr std::chrono::seconds kCommandLimit{30};

Poco::JSON::Object::Ptr parse(const std::string& text) {
    return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

}  // namespace

Browser::Browser(const std::filesystem::path& dir) : dir_(dir) {
    if (!std::filesystem::exists(kChromium)) {
        FAIL("this test needs a browser: install chromium (scripts/bootstrap.sh does)");
    }
    std::filesystem::create_directories(dir_);
    const auto profile = dir_ / "profile";
    ProcessOptions options;
    options.argv = {kChromium,
                    "--headless=new",
                    "--no-sandbox",  // the tests run as root, where Chromium's sandbox cannot
                    "--disable-gpu",
                    "--no-first-run",
                    "--window-size=1280,720",
                    "--remote-debugging-port=0",
                    "--user-data-dir=" + profile.string(),
                    "about:blank"};
    process_ = std::make_unique<Process>("chromium", options, dir_);
    // Chromium writes the port it chose, then the browser's path, into this file.
    const auto port_file = profile / "DevToolsActivePort";
    std::string port;
    wait_until(deadline_after(kStartLimit),
               [&] {
                   std::ifstream in(port_file);
                   return static_cast<bool>(std::getline(in, port)) && !port.empty();
               },
               "Chromium to listen for DevTools", {dir_ / "chromium.stderr"});
    std::string page_path;
    wait_until(
        deadline_after(kStartLimit),
        [&] {
            const HttpResponse list = HttpClient("http://127.0.0.1:" + port).get("/json/list");
            if (list.status != 200) return false;
            auto targets = Poco::JSON::Parser().parse(list.body).extract<Poco::JSON::Array::Ptr>();
            for (size_t i = 0; i < targets->size(); ++i) {
                auto target = targets->getObject(static_cast<unsigned>(i));
                if (target->optValue<std::string>("type", "") != "page") continue;
                const std::string url = target->getValue<std::string>("webSocketDebuggerUrl");
                page_path = url.substr(url.find("/devtools/"));
                return true;
            }
            return false;
        },
        "Chromium's page", {dir_ / "chromium.stderr"});
    session_ = std::make_unique<Poco::Net::HTTPClientSession>(
        "127.0.0.1", static_cast<uint16_t>(std::stoi(port)));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, page_path,
                                   Poco::Net::HTTPRequest::HTTP_1_1);
    Poco::Net::HTTPResponse response;
    socket_ = std::make_unique<Poco::Net::WebSocket>(*session_, request, response);
    socket_->setReceiveTimeout(Poco::Timespan(kCommandLimit.count(), 0));
}

Browser::~Browser() {
    try {
        if (socket_) socket_->close();
    } catch (const Poco::Exception&) {
        // The process goes next anyway.
    }
}

Poco::JSON::Object::Ptr Browser::call(const std::string& method,
                                      const Poco::JSON::Object::Ptr& params) {
    const int id = next_id_++;
    Poco::JSON::Object command;
    command.set("id", id);
    command.set("method", method);
    command.set("params", params);
    std::ostringstream text;
    Poco::JSON::Stringifier::condense(command, text);
    const std::string frame = text.str();
    socket_->sendFrame(frame.data(), static_cast<int>(frame.size()));
    for (;;) {
        // A message may come in several frames: read until the final one.
        std::string message;
        int flags = 0;
        do {
            Poco::Buffer<char> buffer(0);
            const int got = socket_->receiveFrame(buffer, flags);
            if (got <= 0) FAIL("Chromium closed the DevTools connection during " << method);
            message.append(buffer.begin(), static_cast<size_t>(got));
        } while ((flags & Poco::Net::WebSocket::FRAME_FLAG_FIN) == 0);
        auto answer = parse(message);
        if (!answer->has("id") || answer->getValue<int>("id") != id) continue;  // an event
        if (answer->has("error")) {
            std::ostringstream error;
            answer->getObject("error")->stringify(error);
            FAIL("DevTools " << method << " failed: " << error.str());
        }
        return answer->getObject("result");
    }
}

void Browser::open(const std::string& url) {
    Poco::JSON::Object::Ptr params = new Poco::JSON::Object;
    params->set("url", url);
    call("Page.navigate", params);
    wait_for("document.readyState === 'complete' && location.href !== 'about:blank'",
             "the page " + url + " to load");
}

std::string Browser::evaluate(const std::string& expression) {
    Poco::JSON::Object::Ptr params = new Poco::JSON::Object;
    params->set("expression", expression);
    params->set("returnByValue", true);
    params->set("awaitPromise", true);
    auto result = call("Runtime.evaluate", params);
    if (result->has("exceptionDetails")) {
        std::ostringstream details;
        result->getObject("exceptionDetails")->stringify(details);
        FAIL("the page threw evaluating `" << expression << "`: " << details.str());
    }
    auto value = result->getObject("result");
    if (!value->has("value")) return {};
    return value->get("value").convert<std::string>();
}

void Browser::wait_for(const std::string& expression, const std::string& what) {
    wait_until(deadline_after(kCommandLimit),
               [&] { return evaluate("!!(" + expression + ")") == "true"; }, what,
               {dir_ / "chromium.stderr"});
}

void Browser::screenshot(const std::filesystem::path& file) {
    Poco::JSON::Object::Ptr params = new Poco::JSON::Object;
    params->set("format", "png");
    auto result = call("Page.captureScreenshot", params);
    auto png = crypto::base64_decode(result->getValue<std::string>("data"));
    REQUIRE(png);
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary);
    out << *png;
}

}  // namespace fmg::testing
