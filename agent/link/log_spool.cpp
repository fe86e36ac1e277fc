#include "agent/link/log_spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "shared/log.h"

namespace fmg::agent {
namespace {

constexpr size_t kHeaderBytes = 12;  // seq u64 + length u32, little-endian

std::string os_error(const std::string& what, int error) {
    return what + ": " + std::strerror(error);
}

void put_le(unsigned char* out, uint64_t value, size_t bytes) {
    for (size_t i = 0; i < bytes; ++i) out[i] = static_cast<unsigned char>(value >> (8 * i));
}

uint64_t get_le(const unsigned char* in, size_t bytes) {
    uint64_t value = 0;
    for (size_t i = 0; i < bytes; ++i) value |= uint64_t{in[i]} << (8 * i);
    return value;
}

// Writes all of `size` bytes at `offset`, retrying short writes and EINTR.
Status write_all(int fd, const char* data, size_t size, uint64_t offset) {
    while (size > 0) {
        ssize_t n = ::pwrite(fd, data, size, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Error{os_error("write", errno)};
        if (n == 0) return Error{"write: no progress"};
        data += n;
        size -= static_cast<size_t>(n);
        offset += static_cast<uint64_t>(n);
    }
    return {};
}

// Reads exactly `size` bytes at `offset`; a file shorter than that is an error.
Status read_all(int fd, char* data, size_t size, uint64_t offset) {
    while (size > 0) {
        ssize_t n = ::pread(fd, data, size, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Error{os_error("read", errno)};
        if (n == 0) return Error{"read: the file ends early"};
        data += n;
        size -= static_cast<size_t>(n);
        offset += static_cast<uint64_t>(n);
    }
    return {};
}

}  // namespace

std::filesystem::path spool_directory(const std::filesystem::path& work_dir) {
    return work_dir / "spool";
}

size_t remove_leftover_spools(const std::filesystem::path& directory) {
    std::error_code error;
    size_t files = 0;
    for (std::filesystem::directory_iterator it(directory, error), end; !error && it != end;
         it.increment(error)) {
        ++files;
    }
    std::filesystem::remove_all(directory, error);
    if (error) {
        FMG_LOG(warn) << "cannot remove the log spool " << directory.string()
                      << " of an earlier run: " << error.message();
        return 0;
    }
    return files;
}

Result<std::unique_ptr<LogSpool>> LogSpool::create(const std::filesystem::path& directory,
                                                   protocol::AttemptId attempt) {
    std::error_code error;
    std::filesystem::create_directories(directory, error);
    if (error) {
        return Error{"cannot create the log spool directory " + directory.string() + ": " +
                     error.message()};
    }
    std::filesystem::path path = directory / ("attempt-" + std::to_string(attempt) + ".chunks");
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return Error{os_error("cannot open the log spool " + path.string(), errno)};
    return std::make_unique<LogSpool>(Key{}, std::move(path), attempt, fd);
}

LogSpool::~LogSpool() {
    ::close(fd_);
    if (::unlink(path_.c_str()) != 0 && errno != ENOENT) {
        FMG_LOG(warn) << "attempt=" << attempt_ << " cannot remove the log spool " << path_.string()
                      << ": " << std::strerror(errno);
    }
}

Status LogSpool::append(const protocol::Log& chunk) {
    if (!empty() && chunk.seq != last_seq() + 1) {
        return Error{"log chunk " + std::to_string(chunk.seq) + " does not follow chunk " +
                     std::to_string(last_seq()) + " in the spool"};
    }
    if (chunk.data.size() > protocol::kMaxLogChunkBytes) {
        return Error{"log chunk " + std::to_string(chunk.seq) + " is too large to spool"};
    }
    unsigned char header[kHeaderBytes];
    put_le(header, chunk.seq, 8);
    put_le(header + 8, chunk.data.size(), 4);
    std::string record(reinterpret_cast<const char*>(header), kHeaderBytes);
    record += chunk.data;
    if (auto written = write_all(fd_, record.data(), record.size(), end_offset_); !written) {
        // Cut off what part of the record made it, so the file ends at its last whole record
        // (appends write at end_offset_ anyway; this keeps the file as it was).
        while (::ftruncate(fd_, static_cast<off_t>(end_offset_)) != 0 && errno == EINTR) {
        }
        return Error{"cannot spool log chunk " + std::to_string(chunk.seq) + " to " +
                     path_.string() + ": " + written.error().message};
    }
    if (empty()) first_seq_ = chunk.seq;
    end_offset_ += record.size();
    ++count_;
    data_bytes_ += chunk.data.size();
    return {};
}

Result<LogSpool::Header> LogSpool::read_header(uint64_t offset, uint64_t expected_seq) const {
    unsigned char bytes[kHeaderBytes];
    if (auto read = read_all(fd_, reinterpret_cast<char*>(bytes), kHeaderBytes, offset); !read) {
        return Error{"log spool " + path_.string() + ": " + read.error().message};
    }
    Header header{get_le(bytes, 8), static_cast<uint32_t>(get_le(bytes + 8, 4))};
    if (header.seq != expected_seq || header.length > protocol::kMaxLogChunkBytes ||
        offset + kHeaderBytes + header.length > end_offset_) {
        return Error{"log spool " + path_.string() + " does not hold what was written (record " +
                     std::to_string(expected_seq) + " at offset " + std::to_string(offset) + ")"};
    }
    return header;
}

Status LogSpool::drop_through(uint64_t seq) {
    if (empty() || seq < first_seq_) return {};
    uint64_t offset = head_offset_;
    uint64_t next_seq = first_seq_;
    size_t dropped_bytes = 0;
    size_t dropped = 0;
    while (dropped < count_ && next_seq <= seq) {
        auto header = read_header(offset, next_seq);
        if (!header) return header.error();
        offset += kHeaderBytes + header->length;
        dropped_bytes += header->length;
        ++dropped;
        ++next_seq;
    }
    head_offset_ = offset;
    first_seq_ = next_seq;
    count_ -= dropped;
    data_bytes_ -= dropped_bytes;
    if (empty()) {
        // Nothing left to keep: start over at the beginning of the file.
        head_offset_ = end_offset_ = 0;
        while (::ftruncate(fd_, 0) != 0 && errno == EINTR) {
        }
    }
    return {};
}

Status LogSpool::for_each(const std::function<void(const protocol::Log&)>& visit,
                          size_t max_chunks) const {
    uint64_t offset = head_offset_;
    protocol::Log chunk;
    chunk.attempt_id = attempt_;
    for (size_t i = 0; i < count_ && i < max_chunks; ++i) {
        auto header = read_header(offset, first_seq_ + i);
        if (!header) return header.error();
        chunk.seq = header->seq;
        chunk.data.resize(header->length);
        if (auto read = read_all(fd_, chunk.data.data(), header->length, offset + kHeaderBytes);
            !read) {
            return Error{"log spool " + path_.string() + ": " + read.error().message};
        }
        offset += kHeaderBytes + header->length;
        visit(chunk);
    }
    return {};
}

}  // namespace fmg::agent
