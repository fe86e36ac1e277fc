// GET /api/v1/pipelines/ID/jobs/NAME/log?attempt=&offset=&follow=1
// Without follow: the log as stored so far. With follow: a chunked response that streams new
// bytes as the event loop appends them (woken by the LogNotifier) and ends when the attempt
// is over and every byte was sent.

#include <Poco/Net/HTMLForm.h>

#include <algorithm>
#include <fstream>

#include "coordinator/constants.h"
#include "coordinator/domain/states.h"
#include "coordinator/http/api_routes.h"
#include "coordinator/logs/log_store.h"
#include "coordinator/store/pipeline_store.h"

namespace fmg::coordinator::http {
namespace {

/// Copies the attempt's log from `offset` up to its committed size into `out` (bytes past it
/// were never acknowledged and may be replaced); returns the new offset.
int64_t copy_from(const std::filesystem::path& logs_dir, const AttemptRow& attempt, int64_t offset,
                  std::ostream& out) {
    std::ifstream in(LogStore::file_of(logs_dir, attempt.id), std::ios::binary);
    if (!in || offset >= attempt.log_bytes) return offset;
    in.seekg(offset);
    char buffer[65536];
    while (in && offset < attempt.log_bytes) {
        in.read(buffer, std::min<std::streamsize>(sizeof buffer, attempt.log_bytes - offset));
        std::streamsize n = in.gcount();
        if (n <= 0) break;
        out.write(buffer, n);
        offset += n;
    }
    return offset;
}

std::optional<int64_t> integer_param(const Poco::Net::HTMLForm& query, const std::string& name) {
    if (!query.has(name)) return std::nullopt;
    try {
        return std::stoll(query.get(name));
    } catch (const std::exception&) {
        return -1;
    }
}

}  // namespace

void job_log(HttpContext& context, int64_t pipeline_id, const std::string& job_name,
             HTTPServerRequest& request, HTTPServerResponse& response) {
    Poco::Net::HTMLForm query(request);
    auto attempt_number = integer_param(query, "attempt");
    int64_t offset = integer_param(query, "offset").value_or(0);
    bool follow =
        query.has("follow") && (query.get("follow") == "1" || query.get("follow") == "true");
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
        return !fresh || is_terminal(*parse_job_state(fresh->status));
    };
    auto attempt = find_attempt();
    if (attempt_number && !attempt) {
        return send_error(
            response, HTTPResponse::HTTP_NOT_FOUND,
            "job '" + job_name + "' has no attempt " + std::to_string(*attempt_number));
    }
    response.setContentType("text/plain; charset=utf-8");
    if (!follow) {
        response.setStatus(HTTPResponse::HTTP_OK);
        response.setChunkedTransferEncoding(true);
        std::ostream& out = response.send();
        if (attempt) copy_from(context.logs_dir, *attempt, offset, out);
        return;
    }

    response.setStatus(HTTPResponse::HTTP_OK);
    response.setChunkedTransferEncoding(true);
    std::ostream& out = response.send();
    out.flush();
    std::optional<AttemptRow> followed;
    while (out) {
        uint64_t seen = context.log_notifier.version();
        attempt = find_attempt();
        if (attempt && followed && attempt->id != followed->id) {
            // Following the job: its attempt was lost and a new one took over.
            auto previous = pipelines::find_attempt(db, followed->id);
            out << "\n--- fmg: attempt " << followed->number << " "
                << (previous ? previous->status : std::string("ended"))
                << (previous && previous->error ? ": " + *previous->error : std::string())
                << "; following attempt " << attempt->number << " ---\n";
            offset = 0;
        }
        if (attempt) {
            followed = attempt;
            offset = copy_from(context.logs_dir, *attempt, offset, out);
            out.flush();
            bool attempt_over = is_terminal(*parse_attempt_state(attempt->status));
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
