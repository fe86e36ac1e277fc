#include "coordinator/github/status_sender.h"

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <algorithm>
#include <memory>
#include <sstream>

#include "coordinator/constants.h"
#include "coordinator/github/api_paths.h"
#include "coordinator/github/rate_limit.h"
#include "coordinator/store/database.h"
#include "coordinator/store/outbox_store.h"
#include "shared/http_session.h"
#include "shared/log.h"

namespace fmg::coordinator {

StatusSender::StatusSender(std::filesystem::path database_file, std::string api_url,
                           std::optional<std::string> token, const Clock& clock)
    : database_file_(std::move(database_file)),
      api_url_(std::move(api_url)),
      token_(std::move(token)),
      clock_(clock) {}

StatusSender::~StatusSender() {
    stop();
}

void StatusSender::start() {
    if (!token_) {
        FMG_LOG(warn) << "no GitHub token (GITHUB_TOKEN or --github-token-file): commit "
                         "statuses will not be posted";
    }
    thread_ = std::thread([this] { run(); });
}

void StatusSender::wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    wake_.notify_one();
}

void StatusSender::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
}

void StatusSender::run() {
    Database db(database_file_);
    while (true) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
            woken_ = false;
        }
        try {
            for (const OutboxRow& row : outbox::due(db, clock_.wall_ms(), 50)) {
                if (!token_) {
                    outbox::remove(db, row.id);
                    continue;
                }
                if (clock_.wall_ms() < paused_until_) break;  // rate limited: wait
                PostOutcome outcome = post(row);
                const Status& posted = outcome.result;
                if (posted) {
                    outbox::remove(db, row.id);
                    FMG_LOG(debug) << "status " << row.context << "=" << row.state << " posted for "
                                   << row.repo << "@" << row.sha.substr(0, 7);
                    continue;
                }
                if (outcome.limited_until) {
                    paused_until_ = *outcome.limited_until;
                    outbox::reschedule(db, row.id, paused_until_, posted.error().message);
                    FMG_LOG(warn) << "GitHub rate limit: no status posts for "
                                  << std::max<int64_t>(0, paused_until_ - clock_.wall_ms())
                                  << " ms (" << posted.error().message << ")";
                    break;
                }
                int64_t backoff = std::min<int64_t>(kStatusRetryMax.count(),
                                                    kStatusRetryInitial.count()
                                                        << std::min<int64_t>(row.tries, 20));
                outbox::reschedule(db, row.id, clock_.wall_ms() + backoff, posted.error().message);
                FMG_LOG(warn) << "status " << row.context << "=" << row.state << " for " << row.repo
                              << "@" << row.sha.substr(0, 7) << " not posted (try " << row.tries + 1
                              << ", next in " << backoff << " ms): " << posted.error().message;
            }
        } catch (const std::exception& e) {
            FMG_LOG(error) << "status outbox: " << e.what();
        }

        std::optional<int64_t> next = outbox::next_due(db);
        if (next && *next < paused_until_) next = paused_until_;
        std::unique_lock lock(mutex_);
        if (stopping_) return;
        if (woken_) continue;
        auto wait = next ? std::chrono::milliseconds(std::max<int64_t>(0, *next - clock_.wall_ms()))
                         : std::chrono::milliseconds(std::chrono::minutes(1));
        if (next && wait.count() == 0) continue;
        wake_.wait_for(lock, wait, [&] { return stopping_ || woken_; });
    }
}

StatusSender::PostOutcome StatusSender::post(const OutboxRow& row) {
    const bool reused = session_ != nullptr;
    try {
        if (!session_) {
            session_ = open_http_session(Poco::URI(api_url_));
            session_->setTimeout(Poco::Timespan(10, 0));
            session_->setKeepAlive(true);
            session_->setKeepAliveTimeout(Poco::Timespan(kStatusKeepAlive.count(), 0));
        }
    } catch (const Poco::Exception& e) {
        return {Error{e.displayText()}, false, std::nullopt};
    }
    PostOutcome outcome = post_on(*session_, row);
    if (outcome.answered) return outcome;
    session_.reset();  // the connection is in an unknown state
    // Failed before an answer on a kept connection, which the server may have closed while
    // idle: one more try on a new one before the row backs off.
    if (!reused) return outcome;
    FMG_LOG(debug) << "GitHub connection failed before an answer ("
                   << outcome.result.error().message << "); posting again on a new one";
    return post(row);
}

StatusSender::PostOutcome StatusSender::post_on(Poco::Net::HTTPClientSession& session,
                                                const OutboxRow& row) const {
    try {
        // Built from encoded parts, never parsed back through Poco::URI (which would decode
        // an escaped '/' into a path separator again).
        const std::string path =
            github::status_path(Poco::URI(api_url_).getPath(), row.repo, row.sha);
        Poco::JSON::Object body;
        body.set("state", row.state);
        body.set("target_url", row.target_url);
        body.set("description", row.description);
        body.set("context", row.context);
        std::ostringstream text;
        body.stringify(text);
        std::string payload = text.str();

        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, path,
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        request.setKeepAlive(true);
        request.set("Authorization", "Bearer " + *token_);
        request.set("Accept", "application/vnd.github+json");
        request.set("User-Agent", "fmg-coordinator");
        request.setContentType("application/json");
        request.setContentLength(static_cast<std::streamsize>(payload.size()));
        session.sendRequest(request) << payload;
        Poco::Net::HTTPResponse response;
        std::istream& in = session.receiveResponse(response);
        GitHubAnswer answer;
        Poco::StreamCopier::copyToString(in, answer.body);  // whole, so the connection is reusable
        answer.status = static_cast<int>(response.getStatus());
        if (answer.status >= 200 && answer.status < 300) return {Status{}, true, std::nullopt};
        // Header names are case-insensitive in Poco, as in HTTP.
        const auto header = [&](const char* name) -> std::optional<std::string> {
            if (!response.has(name)) return std::nullopt;
            return response.get(name);
        };
        answer.retry_after = header("retry-after");
        answer.remaining = header("x-ratelimit-remaining");
        answer.reset = header("x-ratelimit-reset");
        // wall_ms() is truncated to the millisecond: one more keeps the pause from ending
        // before the whole wait GitHub asked for has passed since its answer arrived.
        const int64_t answered_at_ms = clock_.wall_ms() + 1;
        return {Error{"GitHub answered " + std::to_string(answer.status) + ": " +
                      answer.body.substr(0, 200)},
                true, rate_limited_until(answer, answered_at_ms)};
    } catch (const Poco::Exception& e) {
        return {Error{e.displayText()}, false, std::nullopt};
    } catch (const std::exception& e) {
        return {Error{e.what()}, false, std::nullopt};
    }
}

}  // namespace fmg::coordinator
