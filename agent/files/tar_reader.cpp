#include "agent/files/tar_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <optional>
#include <utility>

#include "agent/files/archive_handle.h"

namespace fmg::agent {
namespace {

constexpr size_t kReadBlock = 1 << 20;

}  // namespace

Result<TarReader> TarReader::open(const std::filesystem::path& archive_file) {
    struct archive* handle = archive_read_new();
    if (handle == nullptr) return Error{"libarchive: out of memory"};
    archive_read_support_format_tar(handle);
    archive_read_support_format_gnutar(handle);
    if (archive_read_open_filename(handle, archive_file.c_str(), kReadBlock) != ARCHIVE_OK) {
        Error error{"cannot read the archive " + archive_file.string() + ": " +
                    archive_reason(handle)};
        archive_read_free(handle);
        return error;
    }
    return TarReader(handle);
}

TarReader::TarReader(TarReader&& other) noexcept
    : archive_(std::exchange(other.archive_, nullptr)),
      current_(std::exchange(other.current_, nullptr)) {}

TarReader& TarReader::operator=(TarReader&& other) noexcept {
    if (this != &other) {
        if (archive_ != nullptr) archive_read_free(archive_);
        archive_ = std::exchange(other.archive_, nullptr);
        current_ = std::exchange(other.current_, nullptr);
    }
    return *this;
}

TarReader::~TarReader() {
    if (archive_ != nullptr) archive_read_free(archive_);
}

Result<std::optional<TarEntry>> TarReader::next() {
    struct archive_entry* entry = nullptr;
    const int status = archive_read_next_header(archive_, &entry);
    if (status == ARCHIVE_EOF) return std::optional<TarEntry>();
    if (status != ARCHIVE_OK && status != ARCHIVE_WARN) {
        return Error{"damaged archive: " + archive_reason(archive_)};
    }
    current_ = entry;
    TarEntry out;
    const char* path = archive_entry_pathname(entry);
    out.path = path != nullptr ? path : "";
    while (out.path.size() > 1 && out.path.back() == '/') out.path.pop_back();
    switch (archive_entry_filetype(entry)) {
        case AE_IFREG:
            out.type = TarEntry::Type::file;
            break;
        case AE_IFDIR:
            out.type = TarEntry::Type::directory;
            break;
        case AE_IFLNK:
            out.type = TarEntry::Type::symlink;
            if (const char* target = archive_entry_symlink(entry)) out.link_target = target;
            break;
        default:
            out.type = TarEntry::Type::other;
            break;
    }
    // A hard link is stored as an entry of size 0 that names another; treat it as "other".
    if (archive_entry_hardlink(entry) != nullptr) out.type = TarEntry::Type::other;
    const la_int64_t size = archive_entry_size(entry);
    out.size = size > 0 ? static_cast<uint64_t>(size) : 0;
    return std::optional<TarEntry>(std::move(out));
}

Status TarReader::read_data(const std::function<Status(std::string_view)>& sink) {
    // One buffer for every entry: a workspace of small files must not cost a fresh MiB each.
    if (buffer_.size() != kReadBlock) buffer_.assign(kReadBlock, '\0');
    for (;;) {
        la_ssize_t got = archive_read_data(archive_, buffer_.data(), buffer_.size());
        if (got == 0) return {};
        if (got < 0) return Error{"damaged archive: " + archive_reason(archive_)};
        if (Status fed = sink(std::string_view(buffer_.data(), static_cast<size_t>(got))); !fed) {
            return fed;
        }
    }
}

}  // namespace fmg::agent
