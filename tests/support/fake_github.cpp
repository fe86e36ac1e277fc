#include "tests/support/fake_github.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <regex>
#include <set>
#include <sstream>

namespace fmg::testing {

struct FakeGitHub::State {
    std::string expected_token;
    mutable std::mutex mutex;
    std::vector<PostedStatus> requests;
    int failures_left = 0;
    int failure_status = 502;
    int rate_limits_left = 0;
    int retry_after_seconds = 0;
};

namespace {

const std::regex kStatusPath("^/repos/([^/]+)/([^/]+)/statuses/([0-9a-f]{40})$");
constexpr size_t kMaxDescriptionChars = 140;  // GitHub refuses longer descriptions

size_t utf8_length(const std::string& text) {
    size_t count = 0;
    for (const unsigned char byte : text) count += (byte & 0xc0) != 0x80;
    return count;
}

// Checks a status body as GitHub's API does; returns why it is refused, or empty.
std::string validate_body(PostedStatus& posted) {
    Poco::JSON::Object::Ptr body;
    try {
        Poco::JSON::Parser parser;
        body = parser.parse(posted.body).extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception& error) {
        return "Problems parsing JSON: " + error.displayText();
    } catch (const std::exception& error) {
        return std::string("Problems parsing JSON: ") + error.what();
    }
    static const std::set<std::string> kStates{"error", "failure", "pending", "success"};
    if (!body->has("state") || !body->get("state").isString() ||
        !kStates.contains(body->getValue<std::string>("state"))) {
        return "state must be one of error, failure, pending, success";
    }
    posted.state = body->getValue<std::string>("state");
    for (const auto* key : {"target_url", "description", "context"}) {
        if (body->has(key) && !body->isNull(key) && !body->get(key).isString()) {
            return std::string(key) + " must be a string";
        }
    }
    posted.target_url = body->optValue<std::string>("target_url", "");
    posted.description = body->optValue<std::string>("description", "");
    posted.context = body->optValue<std::string>("context", "default");
    if (utf8_length(posted.description) > kMaxDescriptionChars) {
        return "description is too long (maximum is 140 characters)";
    }
    return {};
}

void answer(Poco::Net::HTTPServerResponse& response, int status, const std::string& json) {
    response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    response.setContentType("application/json; charset=utf-8");
    response.setContentLength(static_cast<std::streamsize>(json.size()));
    response.send() << json;
}

std::string message_json(const std::string& message) {
    Poco::JSON::Object object;
    object.set("message", message);
    object.set("documentation_url", "https://docs.github.com/rest/commits/statuses");
    std::ostringstream out;
    object.stringify(out);
    return out.str();
}

std::string created_json(const PostedStatus& posted, size_t id) {
    Poco::JSON::Object object;
    object.set("id", static_cast<int64_t>(id));
    object.set("state", posted.state);
    object.set("description", posted.description);
    object.set("target_url", posted.target_url);
    object.set("context", posted.context);
    std::ostringstream out;
    object.stringify(out);
    return out.str();
}

class StatusHandler : public Poco::Net::HTTPRequestHandler {
  public:
    explicit StatusHandler(std::shared_ptr<FakeGitHub::State> state) : state_(std::move(state)) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override {
        PostedStatus posted;
        posted.method = request.getMethod();
        posted.path = request.getURI();
        posted.authorization = request.get("Authorization", "");
        posted.client = request.clientAddress().toString();
        posted.received_at = std::chrono::steady_clock::now();
        Poco::StreamCopier::copyToString(request.stream(), posted.body);

        std::string reply;
        if (posted.method != "POST" || !std::regex_match(posted.path, kStatusPath)) {
            posted.answered = 404;
            posted.rejection = "no such endpoint: " + posted.method + " " + posted.path;
            reply = message_json("Not Found");
        } else if (posted.authorization != "Bearer " + state_->expected_token) {
            posted.answered = 401;
            posted.rejection = "bad credentials: \"" + posted.authorization + "\"";
            reply = message_json("Bad credentials");
        } else if (std::string why = validate_body(posted); !why.empty()) {
            posted.answered = 422;
            posted.rejection = why;
            reply = message_json("Validation Failed: " + why);
        }

        std::lock_guard lock(state_->mutex);
        if (posted.answered == 0 && state_->rate_limits_left > 0) {
            --state_->rate_limits_left;
            posted.answered = 403;
            reply = message_json(
                "You have exceeded a secondary rate limit. Please wait a few minutes before you "
                "try again.");
            response.set("retry-after", std::to_string(state_->retry_after_seconds));
        } else if (posted.answered == 0 && state_->failures_left > 0) {
            --state_->failures_left;
            posted.answered = state_->failure_status;
            reply = message_json("Server Error");
        } else if (posted.answered == 0) {
            posted.answered = 201;
            reply = created_json(posted, state_->requests.size() + 1);
        }
        state_->requests.push_back(posted);
        answer(response, posted.answered, reply);
    }

  private:
    std::shared_ptr<FakeGitHub::State> state_;
};

class HandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
  public:
    explicit HandlerFactory(std::shared_ptr<FakeGitHub::State> state) : state_(std::move(state)) {}

    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest&) override {
        return new StatusHandler(state_);
    }

  private:
    std::shared_ptr<FakeGitHub::State> state_;
};

}  // namespace

std::string PostedStatus::repo() const {
    std::smatch match;
    if (!std::regex_match(path, match, kStatusPath)) return {};
    return match[1].str() + "/" + match[2].str();
}

std::string PostedStatus::sha() const {
    std::smatch match;
    if (!std::regex_match(path, match, kStatusPath)) return {};
    return match[3].str();
}

FakeGitHub::FakeGitHub(std::string expected_token, std::chrono::milliseconds idle_close)
    : state_(std::make_shared<State>()) {
    state_->expected_token = std::move(expected_token);
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    port_ = socket.address().port();
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(4);
    if (idle_close.count() > 0) {
        params->setKeepAliveTimeout(Poco::Timespan(idle_close.count() * 1000));
    }
    server_ = std::make_unique<Poco::Net::HTTPServer>(new HandlerFactory(state_), socket, params);
    server_->start();
}

FakeGitHub::~FakeGitHub() {
    server_->stopAll(true);
}

std::string FakeGitHub::url() const {
    return "http://127.0.0.1:" + std::to_string(port_);
}

std::vector<PostedStatus> FakeGitHub::requests() const {
    std::lock_guard lock(state_->mutex);
    return state_->requests;
}

std::vector<PostedStatus> FakeGitHub::statuses() const {
    std::vector<PostedStatus> accepted;
    for (auto& posted : requests()) {
        if (posted.answered == 201) accepted.push_back(std::move(posted));
    }
    return accepted;
}

std::vector<PostedStatus> FakeGitHub::statuses_for(std::string_view context) const {
    std::vector<PostedStatus> matching;
    for (auto& posted : statuses()) {
        if (posted.context == context) matching.push_back(std::move(posted));
    }
    return matching;
}

std::vector<PostedStatus> FakeGitHub::rejected() const {
    std::vector<PostedStatus> refused;
    for (auto& posted : requests()) {
        if (!posted.rejection.empty()) refused.push_back(std::move(posted));
    }
    return refused;
}

void FakeGitHub::rate_limit_next(int count, int retry_after_seconds) {
    std::lock_guard lock(state_->mutex);
    state_->rate_limits_left = count;
    state_->retry_after_seconds = retry_after_seconds;
}

void FakeGitHub::fail_next(int count, int http_status) {
    std::lock_guard lock(state_->mutex);
    state_->failures_left = count;
    state_->failure_status = http_status;
}

}  // namespace fmg::testing
