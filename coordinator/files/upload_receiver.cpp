#include "coordinator/files/upload_receiver.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "shared/log.h"

namespace fmg::coordinator {
namespace {

// Reads of a partial file to rebuild its digest after a restart.
constexpr size_t kRehashBuffer = 1 << 20;

// Writes all of `data` at the end of `fd`; false with errno set when it cannot.
bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t written = ::write(fd, data.data(), data.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data.remove_prefix(static_cast<size_t>(written));
    }
    return true;
}

std::string size_text(uint64_t bytes) {
    return std::to_string(bytes) + " bytes";
}

}  // namespace

UploadReceiver::UploadReceiver(BlobStore& store, uint64_t max_upload_bytes)
    : store_(store), max_upload_bytes_(max_upload_bytes) {}

UploadReceiver::~UploadReceiver() {
    for (auto& [key, partial] : partials_) close(partial);
}

std::filesystem::path UploadReceiver::partial_path(protocol::AttemptId attempt,
                                                   uint64_t upload) const {
    return store_.uploads_dir() /
           (std::to_string(attempt) + "-" + std::to_string(upload) + ".part");
}

void UploadReceiver::close(Partial& partial) {
    if (partial.fd >= 0) ::close(partial.fd);
    partial.fd = -1;
}

Error UploadReceiver::fail(const Key& key, Partial& partial, std::string why) {
    close(partial);
    std::error_code ec;
    std::filesystem::remove(partial_path(key.first, key.second), ec);
    partial.failure = why;
    return Error{std::move(why)};
}

Error UploadReceiver::refuse(protocol::AttemptId attempt, uint64_t upload, std::string why) {
    return fail({attempt, upload}, partials_[{attempt, upload}], std::move(why));
}

Result<UploadReceiver::Partial*> UploadReceiver::open(const Key& key) {
    auto found = partials_.find(key);
    if (found != partials_.end()) {
        if (found->second.failure) return Error{*found->second.failure};
        return &found->second;
    }
    Partial& partial = partials_[key];
    const auto path = partial_path(key.first, key.second);
    partial.fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (partial.fd < 0) {
        return fail(key, partial,
                    "the coordinator cannot write " + path.string() + ": " + std::strerror(errno));
    }
    // A file left from before a restart: go on from what it holds, digest included.
    std::string buffer(kRehashBuffer, '\0');
    for (;;) {
        ssize_t got =
            ::pread(partial.fd, buffer.data(), buffer.size(), static_cast<off_t>(partial.size));
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            return fail(
                key, partial,
                "the coordinator cannot read " + path.string() + ": " + std::strerror(errno));
        }
        if (got == 0) break;
        partial.hash.update(std::string_view(buffer.data(), static_cast<size_t>(got)));
        partial.size += static_cast<uint64_t>(got);
    }
    if (partial.size > 0) {
        FMG_LOG(info) << "attempt=" << key.first << " upload=" << key.second << " resumes at byte "
                      << partial.size << " (kept across a restart)";
    }
    return &partial;
}

Result<uint64_t> UploadReceiver::receive(protocol::AttemptId attempt, uint64_t upload,
                                         uint64_t offset, std::string_view data) {
    const Key key{attempt, upload};
    auto opened = open(key);
    if (!opened) return opened.error();
    Partial& partial = **opened;
    if (offset != partial.size) return partial.size;  // a duplicate or a gap
    if (data.size() > max_upload_bytes_ || partial.size > max_upload_bytes_ - data.size()) {
        return fail(key, partial,
                    "the file is larger than the coordinator's limit of " +
                        size_text(max_upload_bytes_) +
                        " (--max-artifact-size; --max-cache-size for a cache)");
    }
    if (!write_all(partial.fd, data)) {
        const int error = errno;
        // Bytes written before the failure are gone with the file; the upload has failed.
        return fail(
            key, partial,
            error == ENOSPC || error == EDQUOT
                ? "the coordinator's disk is full (" + std::string(std::strerror(error)) +
                      "); nothing more can be stored until space is freed"
                : "the coordinator cannot write the upload: " + std::string(std::strerror(error)));
    }
    partial.hash.update(data);
    partial.size += data.size();
    return partial.size;
}

Result<UploadReceiver::Finish> UploadReceiver::finish(protocol::AttemptId attempt, uint64_t upload,
                                                      uint64_t size, std::string_view sha256) {
    const Key key{attempt, upload};
    auto opened = open(key);
    if (!opened) return opened.error();
    Partial& partial = **opened;
    if (partial.size < size) return Finish{false, partial.size};
    if (partial.size > size) {
        return fail(key, partial,
                    "the upload holds " + size_text(partial.size) + ", not the " + size_text(size) +
                        " its end names");
    }
    const std::string digest = partial.hash.finish_hex();
    if (digest != sha256) {
        return fail(key, partial,
                    "the bytes received have SHA-256 " + digest + ", not " + std::string(sha256));
    }
    close(partial);
    const auto path = partial_path(attempt, upload);
    if (auto adopted = store_.adopt(path, sha256); !adopted) {
        return fail(key, partial, adopted.error().message);
    }
    partials_.erase(key);
    return Finish{true, size};
}

void UploadReceiver::forget_attempt(protocol::AttemptId attempt) {
    for (auto it = partials_.lower_bound({attempt, 0});
         it != partials_.end() && it->first.first == attempt;) {
        close(it->second);
        std::error_code ec;
        std::filesystem::remove(partial_path(attempt, it->first.second), ec);
        it = partials_.erase(it);
    }
    // Partial files not opened since a restart.
    std::error_code ec;
    const std::string prefix = std::to_string(attempt) + "-";
    for (const auto& entry : std::filesystem::directory_iterator(store_.uploads_dir(), ec)) {
        if (entry.path().filename().string().rfind(prefix, 0) == 0) {
            std::filesystem::remove(entry.path(), ec);
        }
    }
}

void UploadReceiver::remove_partials_except(const std::set<protocol::AttemptId>& live) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(store_.uploads_dir(), ec)) {
        const std::string name = entry.path().filename().string();
        protocol::AttemptId attempt = 0;
        try {
            attempt = std::stoll(name.substr(0, name.find('-')));
        } catch (const std::exception&) {
            attempt = 0;  // not an upload's file: removed too
        }
        if (live.count(attempt) == 0) std::filesystem::remove(entry.path(), ec);
    }
}

}  // namespace fmg::coordinator
