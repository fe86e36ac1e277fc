#include "coordinator/files/blob_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace fmg::coordinator {
namespace {

// fsync of the file or folder at `path`; false with errno set when it fails.
bool sync_path(const std::filesystem::path& path, bool directory) {
    int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) return false;
    const bool synced = ::fsync(fd) == 0;
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return synced;
}

}  // namespace

BlobStore::BlobStore(std::filesystem::path root)
    : root_(std::move(root)), blobs_(root_ / "sha256"), uploads_(root_ / "uploads") {
    std::filesystem::create_directories(blobs_);
    std::filesystem::create_directories(uploads_);
}

std::filesystem::path blobs_dir(const std::filesystem::path& data_dir) {
    return data_dir / "blobs";
}

std::filesystem::path blob_path(const std::filesystem::path& root, std::string_view sha256) {
    // Two hex digits of fan-out keep folders small (256 of them) at millions of blobs.
    return root / "sha256" / std::string(sha256.substr(0, 2)) / std::string(sha256);
}

std::filesystem::path BlobStore::path_of(std::string_view sha256) const {
    return blob_path(root_, sha256);
}

bool BlobStore::contains(std::string_view sha256) const {
    std::error_code ec;
    return std::filesystem::is_regular_file(path_of(sha256), ec);
}

Status BlobStore::adopt(const std::filesystem::path& file, std::string_view sha256) {
    const std::filesystem::path target = path_of(sha256);
    if (contains(sha256)) {
        std::error_code ec;
        std::filesystem::remove(file, ec);  // the same bytes are stored already
        return {};
    }
    if (!sync_path(file, false)) {
        return Error{"cannot flush " + file.string() + ": " + std::strerror(errno)};
    }
    std::error_code ec;
    std::filesystem::create_directories(target.parent_path(), ec);
    if (ec) return Error{"cannot create " + target.parent_path().string() + ": " + ec.message()};
    std::filesystem::rename(file, target, ec);
    if (ec) return Error{"cannot move " + file.string() + " into the blob store: " + ec.message()};
    if (!sync_path(target.parent_path(), true)) {
        return Error{"cannot flush " + target.parent_path().string() + ": " + std::strerror(errno)};
    }
    return {};
}

void BlobStore::remove(std::string_view sha256) {
    std::error_code ignored;
    std::filesystem::remove(path_of(sha256), ignored);
}

}  // namespace fmg::coordinator
