// GET /api/v1/pipelines/ID/jobs/NAME/log?attempt=&offset=&follow=1
// Without follow: the log as stored so far. With follow: a chunked response that streams new
// bytes as the event loop appends them (woken by the LogNotifier) and ends when the attempt
// is over and every byte was sent. A log over its cap (--log-cap) reads as its head while the
// attempt runs (a follower then gets one line saying the rest is held back) and as head,
// marker line and kept tail once the attempt has ended (logs/log_view.h).
//
// Followers run on the server's follower pool (http/worker_pool.h), never on a worker. A
// follower whose client has gone ends within kLogFollowRecheck, even while the job is silent,
// and every follower ends at once when the LogNotifier is shut down.

#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/StreamSocket.h>
#include <poll.h>
#include <sys/socket.h>

#include "coordinator/constants.h"
#include "coordinator/domain/states.h"
#include "coordinator/http/api_routes.h"
#include "coordinator/http/request_head.h"
#include "coordinator/logs/log_view.h"
#include "coordinator/store/pipeline_store.h"

namespace fmg::coordinator::http {
namespace {

/// How often a view is retried when compactions keep replacing the tail file under it.
constexpr int kViewTries = 5;

/// The attempt's log as it stands; `attempt` is read again when a compaction replaced the tail
/// file its row named. nullopt when the tail file stays missing.
std::optional<LogView> view_of(const std::filesystem::path& logs_dir, Database& db,
                               AttemptRow& attempt) {
    for (int tries = 0; tries < kViewTries; ++tries) {
        if (auto view = LogView::open(logs_dir, attempt, db)) return view;
        auto fresh = pipelines::find_attempt(db, attempt.id);
        if (!fresh) return std::nullopt;
        attempt = *fresh;
    }
    return std::nullopt;
}

/// Copies the attempt's log from `offset` into `out`; returns the new offset.
int64_t copy_from(const std::filesystem::path& logs_dir, Database& db, AttemptRow attempt,
                  int64_t offset, std::ostream& out) {
    auto view = view_of(logs_dir, db, attempt);
    if (!view) return offset;
    return view->copy(offset, out);
}

std::optional<int64_t> integer_param(const Poco::Net::HTMLForm& query, const std::string& name) {
    if (!query.has(name)) return std::nullopt;
    try {
        return std::stoll(query.get(name));
    } catch (const std::exception&) {
        return -1;
    }
}

/// True when the client of `request` has closed its connection (or it failed): a follower
/// of a silent job would otherwise notice only when it next writes, which may be never.
/// Peeks without consuming; a client that sends more after its request is taken as still
/// there.
bool client_gone(HTTPServerRequest& request) {
    auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
    if (!impl) return false;
    pollfd watched{};
    watched.fd = impl->socket().impl()->sockfd();
    watched.events = POLLIN | POLLRDHUP;
    if (::poll(&watched, 1, 0) <= 0) return false;
    if (watched.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) return true;
    char byte = 0;
    return ::recv(watched.fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

}  // namespace

void job_log(HttpContext& context, int64_t pipeline_id, const std::string& job_name,
             HTTPServerRequest& request, HTTPServerResponse& response) {
    Poco::Net::HTMLForm query(request);
    auto attempt_number = integer_param(query, "attempt");
    int64_t offset = integer_param(query, "offset").value_or(0);
    // Only on the follower pool, where the gate sends every request it reads as following
    // (the same rule, request_head.h): a follower must never hold a worker thread.
    bool follow =
        query.has("follow") && is_follow_value(query.get("follow")) && on_follower_thread();
    if ((attempt_number && *attempt_number < 1) || offset < 0) {
        return send_error(response, HTTPResponse::HTTP_BAD_REQUEST,
                          "attempt and offset must be positive integers");
    }

    Database& db = thread_database(context.database_file);
    auto job = pipelines::find_job_by_name(db, pipeline_id, job_name);
    if (!job) {
        return send_error(
            response, HTTPResponse::HTTP_NOT_FOUND,
            "pipeline " + std::to_string(pipeline_id) + " has no job '" + job_name + "'");
    }
    // Which attempt: the one asked for, else the job's current one (waiting for it to exist
    // when following a job that has not started).
    auto find_attempt = [&]() -> std::optional<AttemptRow> {
        auto attempts = pipelines::attempts_of(db, job->id);
        if (attempt_number) {
            for (const auto& a : attempts) {
                if (a.number == *attempt_number) return a;
            }
            return std::nullopt;
        }
        if (attempts.empty()) return std::nullopt;
        return attempts.back();
    };
    auto job_over = [&] {
        auto fresh = pipelines::find_job(db, job->id);
        return !fresh || is_terminal(fresh->status);
    };
    auto attempt = find_attempt();
    if (attempt_number && !attempt) {
        return send_error(
            response, HTTPResponse::HTTP_NOT_FOUND,
            "job '" + job_name + "' has no attempt " + std::to_string(*attempt_number));
    }
    response.setContentType("text/plain; charset=utf-8");
    if (!follow) {
        // Opened before the answer starts, so an unreadable log is a 500, not a cut body.
        std::optional<LogView> view;
        if (attempt) {
            view = view_of(context.logs_dir, db, *attempt);
            if (!view) {
                return send_error(response, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR,
                                  "the tail file of attempt " + std::to_string(attempt->number) +
                                      " of job '" + job_name + "' is missing");
            }
        }
        response.setStatusAndReason(HTTPResponse::HTTP_OK);
        response.setChunkedTransferEncoding(true);
        std::ostream& out = response.send();
        if (view) view->copy(offset, out);
        return;
    }

    response.setStatusAndReason(HTTPResponse::HTTP_OK);
    response.setChunkedTransferEncoding(true);
    std::ostream& out = response.send();
    out.flush();
    std::optional<AttemptRow> followed;
    bool told_held_back = false;
    while (out) {
        if (context.log_notifier.is_shut_down()) {
            out << "\n--- fmg: the coordinator is shutting down; follow again when it is back "
                   "---\n";
            return;
        }
        if (client_gone(request)) return;
        uint64_t seen = context.log_notifier.version();
        attempt = find_attempt();
        if (attempt && followed && attempt->id != followed->id) {
            // Following the job: its attempt was lost and a new one took over. What the old
            // one logged last (and its kept tail, over the cap) comes first.
            auto previous = pipelines::find_attempt(db, followed->id);
            if (previous) copy_from(context.logs_dir, db, *previous, offset, out);
            out << "\n--- fmg: attempt " << followed->number << " "
                << (previous ? std::string(to_string(previous->status)) : std::string("ended"))
                << (previous && previous->error ? ": " + *previous->error : std::string())
                << "; following attempt " << attempt->number << " ---\n";
            offset = 0;
            told_held_back = false;
        }
        if (attempt) {
            followed = attempt;
            auto view = view_of(context.logs_dir, db, *attempt);
            if (view) {
                offset = view->copy(offset, out);
                if (view->holding_back() && offset >= view->size() && !told_held_back) {
                    out << view->held_back_notice();
                    told_held_back = true;
                }
            }
            out.flush();
            bool attempt_over = is_terminal(attempt->status);
            bool done = attempt_number ? attempt_over : attempt_over && job_over();
            if (done) {
                return;
            }
        } else if (job_over()) {
            return;  // ended without ever running (cancelled or skipped)
        }
        context.log_notifier.wait_for_change(seen, kLogFollowRecheck);
    }
}

}  // namespace fmg::coordinator::http
