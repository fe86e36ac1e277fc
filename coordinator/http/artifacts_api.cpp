// GET /api/v1/pipelines/ID/jobs/NAME/artifacts        the artifacts of the job's current attempt
// GET /api/v1/pipelines/ID/jobs/NAME/artifacts/PATH   one artifact's bytes (docs/files.md)
//
// Downloads run on the long-response pool (as log followers do), stream the blob in pieces
// (never whole in memory) and answer single byte ranges. A whole download is checked against
// the blob's SHA-256 as it streams: the last piece is held back until the digest matches, so
// a client never receives every byte of a file that rotted on disk (the connection is cut
// instead, and the log says why). Artifacts come from jobs, which may come from forks: they
// are served with a sandboxing Content-Security-Policy and `nosniff`, so an HTML artifact
// cannot run script on the coordinator's origin.

#include <Poco/JSON/Array.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "coordinator/files/blob_store.h"
#include "coordinator/http/api_routes.h"
#include "coordinator/http/byte_range.h"
#include "coordinator/store/artifact_store.h"
#include "coordinator/store/pipeline_store.h"
#include "shared/crypto.h"
#include "shared/log.h"

namespace fmg::coordinator::http {
namespace {

/// Bytes read from the blob and written to the client at a time.
constexpr size_t kDownloadPiece = 256 * 1024;
/// A client that takes no byte for this long is dropped (a download must not hold a thread
/// of the long-response pool for a reader that went silent).
constexpr int kDownloadSendTimeoutSeconds = 30;

struct ContentType {
    std::string_view extension;
    std::string_view type;
};

// Types browsers and tools act on; everything else is a download.
constexpr ContentType kContentTypes[] = {
    {".txt", "text/plain; charset=utf-8"},
    {".log", "text/plain; charset=utf-8"},
    {".md", "text/markdown; charset=utf-8"},
    {".csv", "text/csv; charset=utf-8"},
    {".html", "text/html; charset=utf-8"},
    {".htm", "text/html; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".json", "application/json"},
    {".xml", "application/xml"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".webp", "image/webp"},
    {".pdf", "application/pdf"},
    {".zip", "application/zip"},
    {".gz", "application/gzip"},
    {".tgz", "application/gzip"},
    {".tar", "application/x-tar"},
    {".wasm", "application/wasm"},
};

std::string_view content_type_of(std::string_view path) {
    const size_t dot = path.rfind('.');
    const size_t slash = path.rfind('/');
    if (dot != std::string_view::npos && (slash == std::string_view::npos || dot > slash)) {
        std::string extension(path.substr(dot));
        std::transform(extension.begin(), extension.end(), extension.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        for (const auto& known : kContentTypes) {
            if (known.extension == extension) return known.type;
        }
    }
    return "application/octet-stream";
}

bool job_exists(Database& db, int64_t pipeline_id, const std::string& job_name,
                HTTPServerResponse& response) {
    if (pipelines::find_job_by_name(db, pipeline_id, job_name)) return true;
    send_error(response, HTTPResponse::HTTP_NOT_FOUND,
               "pipeline " + std::to_string(pipeline_id) + " has no job '" + job_name + "'");
    return false;
}

void limit_send_time(HTTPServerRequest& request) {
    if (auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request)) {
        impl->socket().setSendTimeout(Poco::Timespan(kDownloadSendTimeoutSeconds, 0));
    }
}

/// Reads up to `size` bytes at `offset`; false on a read error or an early end.
bool read_piece(int fd, uint64_t offset, std::string& buffer, size_t size) {
    buffer.resize(size);
    size_t done = 0;
    while (done < size) {
        ssize_t got =
            ::pread(fd, buffer.data() + done, size - done, static_cast<off_t>(offset + done));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return false;
        done += static_cast<size_t>(got);
    }
    return true;
}

}  // namespace

void list_artifacts(HttpContext& context, int64_t pipeline_id, const std::string& job_name,
                    HTTPServerResponse& response) {
    Database& db = thread_database(context.database_file);
    if (!job_exists(db, pipeline_id, job_name, response)) return;
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    for (const auto& row : artifacts::of_job(db, pipeline_id, job_name)) {
        Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
        item->set("path", row.path);
        item->set("size", row.size);
        item->set("sha256", row.sha256);
        list->add(item);
    }
    Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
    body->set("artifacts", list);
    send_json(response, HTTPResponse::HTTP_OK, body);
}

void get_artifact(HttpContext& context, int64_t pipeline_id, const std::string& job_name,
                  const std::string& path, HTTPServerRequest& request,
                  HTTPServerResponse& response) {
    Database& db = thread_database(context.database_file);
    if (!job_exists(db, pipeline_id, job_name, response)) return;
    auto artifact = artifacts::find(db, pipeline_id, job_name, path);
    if (!artifact) {
        return send_error(response, HTTPResponse::HTTP_NOT_FOUND,
                          "job '" + job_name + "' has no artifact '" + path + "'");
    }
    const auto file = blob_path(blobs_dir(context.settings.data_dir), artifact->sha256);
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        FMG_LOG(error) << "artifact " << path << " of pipeline " << pipeline_id << " job "
                       << job_name << ": blob " << file.string()
                       << " cannot be opened: " << std::strerror(errno);
        return send_error(response, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR,
                          "the bytes of artifact '" + path + "' are missing from the store");
    }
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};

    const uint64_t size = static_cast<uint64_t>(artifact->size);
    const RangeAsk ask =
        read_range(request.has("Range") ? request.get("Range") : std::string(), size);
    response.set("Accept-Ranges", "bytes");
    response.set("ETag", "\"" + artifact->sha256 + "\"");
    response.set("X-Content-Type-Options", "nosniff");
    response.set("Content-Security-Policy", "sandbox; default-src 'none'");
    if (ask.kind == RangeAsk::Kind::unsatisfiable) {
        response.set("Content-Range", "bytes */" + std::to_string(size));
        return send_error(
            response, HTTPResponse::HTTP_REQUESTED_RANGE_NOT_SATISFIABLE,
            "the range is past the end of the " + std::to_string(size) + "-byte artifact");
    }
    const bool whole = ask.kind == RangeAsk::Kind::whole;
    const uint64_t first = whole ? 0 : ask.range.first;
    const uint64_t length = whole ? size : ask.range.last - ask.range.first + 1;
    if (!whole) {
        response.setStatusAndReason(HTTPResponse::HTTP_PARTIAL_CONTENT);
        response.set("Content-Range", "bytes " + std::to_string(ask.range.first) + "-" +
                                          std::to_string(ask.range.last) + "/" +
                                          std::to_string(size));
    } else {
        response.setStatusAndReason(HTTPResponse::HTTP_OK);
    }
    response.setContentType(std::string(content_type_of(path)));
    response.setContentLength64(static_cast<Poco::Int64>(length));
    limit_send_time(request);
    std::ostream& out = response.send();

    crypto::Sha256 digest;
    std::string piece;
    uint64_t sent = 0;
    while (sent < length && out) {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(kDownloadPiece, length - sent));
        if (!read_piece(fd, first + sent, piece, n)) {
            FMG_LOG(error) << "blob " << file.string() << " ended or failed at byte "
                           << first + sent << " of " << size << ": download cut";
            return;  // the client sees fewer bytes than Content-Length: not a complete file
        }
        if (whole) {
            digest.update(piece);
            if (sent + n == length && digest.finish_hex() != artifact->sha256) {
                FMG_LOG(error) << "blob " << file.string() << " does not match its SHA-256 "
                               << artifact->sha256 << ": download of " << path
                               << " cut before its last byte";
                return;
            }
        }
        out.write(piece.data(), static_cast<std::streamsize>(n));
        sent += n;
    }
}

}  // namespace fmg::coordinator::http
