#include "agent/files/tar_writer.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <string>
#include <utility>

#include "agent/files/archive_handle.h"

namespace fmg::agent {
namespace {

using ArchivePtr = std::unique_ptr<struct archive, ArchiveFree>;

/// Writes in 1 MiB blocks, the last one not padded: libarchive's default (10 KiB blocks, a
/// tape drive's) costs a system call every 10 KiB of a workspace.
void set_disk_blocks(struct archive* writer) {
    archive_write_set_bytes_per_block(writer, 1 << 20);
    archive_write_set_bytes_in_last_block(writer, 1);
}

}  // namespace

Status write_tar_of(const std::filesystem::path& source, const std::filesystem::path& archive) {
    ArchivePtr writer(archive_write_new());
    ArchivePtr disk(archive_read_disk_new());
    if (!writer || !disk) return Error{"libarchive: out of memory"};
    archive_write_set_format_pax_restricted(writer.get());
    set_disk_blocks(writer.get());
    if (archive_write_open_filename(writer.get(), archive.c_str()) != ARCHIVE_OK) {
        return Error{"cannot write " + archive.string() + ": " + archive_reason(writer.get())};
    }
    archive_read_disk_set_symlink_physical(disk.get());  // links stay links
    archive_read_disk_set_standard_lookup(disk.get());
    const std::filesystem::path base = source.lexically_normal();
    const std::filesystem::path parent =
        base.has_filename() ? base.parent_path() : base.parent_path().parent_path();
    if (archive_read_disk_open(disk.get(), base.c_str()) != ARCHIVE_OK) {
        return Error{"cannot read " + base.string() + ": " + archive_reason(disk.get())};
    }
    std::string buffer(1 << 20, '\0');
    for (;;) {
        std::unique_ptr<struct archive_entry, EntryFree> entry(archive_entry_new());
        const int status = archive_read_next_header2(disk.get(), entry.get());
        if (status == ARCHIVE_EOF) break;
        if (status != ARCHIVE_OK && status != ARCHIVE_WARN) {
            return Error{"cannot read " + base.string() + ": " + archive_reason(disk.get())};
        }
        archive_read_disk_descend(disk.get());
        const std::filesystem::path on_disk(archive_entry_sourcepath(entry.get()));
        archive_entry_set_pathname(entry.get(),
                                   on_disk.lexically_normal().lexically_relative(parent).c_str());
        if (archive_write_header(writer.get(), entry.get()) != ARCHIVE_OK) {
            return Error{"cannot write " + archive.string() + ": " + archive_reason(writer.get())};
        }
        if (archive_entry_filetype(entry.get()) != AE_IFREG) continue;
        for (;;) {
            la_ssize_t got = archive_read_data(disk.get(), buffer.data(), buffer.size());
            if (got == 0) break;
            if (got < 0) {
                return Error{"cannot read " + on_disk.string() + ": " + archive_reason(disk.get())};
            }
            if (archive_write_data(writer.get(), buffer.data(), static_cast<size_t>(got)) < 0) {
                return Error{"cannot write " + archive.string() + ": " +
                             archive_reason(writer.get())};
            }
        }
    }
    if (archive_write_close(writer.get()) != ARCHIVE_OK) {
        return Error{"cannot finish " + archive.string() + ": " + archive_reason(writer.get())};
    }
    return {};
}

Result<TarWriter> TarWriter::create(const std::filesystem::path& archive_file) {
    struct archive* handle = archive_write_new();
    if (handle == nullptr) return Error{"libarchive: out of memory"};
    archive_write_set_format_pax_restricted(handle);
    set_disk_blocks(handle);
    if (archive_write_open_filename(handle, archive_file.c_str()) != ARCHIVE_OK) {
        Error error{"cannot write " + archive_file.string() + ": " + archive_reason(handle)};
        archive_write_free(handle);
        return error;
    }
    return TarWriter(handle);
}

TarWriter::TarWriter(TarWriter&& other) noexcept
    : archive_(std::exchange(other.archive_, nullptr)) {}

TarWriter& TarWriter::operator=(TarWriter&& other) noexcept {
    if (this != &other) {
        if (archive_ != nullptr) archive_write_free(archive_);
        archive_ = std::exchange(other.archive_, nullptr);
    }
    return *this;
}

TarWriter::~TarWriter() {
    if (archive_ != nullptr) archive_write_free(archive_);
}

Status TarWriter::copy_entry(TarReader& reader, const std::string& path) {
    std::unique_ptr<struct archive_entry, EntryFree> entry(archive_entry_clone(reader.current()));
    if (!entry) return Error{"libarchive: out of memory"};
    archive_entry_set_pathname(entry.get(), path.c_str());
    if (archive_write_header(archive_, entry.get()) != ARCHIVE_OK) {
        return Error{"cannot write an archive entry: " + archive_reason(archive_)};
    }
    if (archive_entry_filetype(entry.get()) != AE_IFREG) return {};
    return reader.read_data([this](std::string_view piece) -> Status {
        if (archive_write_data(archive_, piece.data(), piece.size()) < 0) {
            return Error{"cannot write an archive entry: " + archive_reason(archive_)};
        }
        return {};
    });
}

Status TarWriter::finish() {
    if (archive_write_close(archive_) != ARCHIVE_OK) {
        return Error{"cannot finish an archive: " + archive_reason(archive_)};
    }
    return {};
}

}  // namespace fmg::agent
