#include "agent/files/tar_extract.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

#include "agent/files/archive_handle.h"
#include "agent/files/tar_reader.h"
#include "agent/files/tar_writer.h"

namespace fmg::agent {
Status extract_tar_into(const std::filesystem::path& archive,
                        const std::filesystem::path& directory) {
    std::error_code ec;
    std::filesystem::create_directories(directory, ec);
    if (ec) return Error{"cannot create " + directory.string() + ": " + ec.message()};
    std::unique_ptr<struct archive, ArchiveFree> reader(archive_read_new());
    std::unique_ptr<struct archive, ArchiveFree> disk(archive_write_disk_new());
    if (!reader || !disk) return Error{"libarchive: out of memory"};
    archive_read_support_format_tar(reader.get());
    archive_read_support_format_gnutar(reader.get());
    // Names are made absolute below (under `directory`), so NOABSOLUTEPATHS cannot be set;
    // the caller refused absolute names already (layer_entries.h).
    archive_write_disk_set_options(disk.get(), ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
                                                   ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                                   ARCHIVE_EXTRACT_SECURE_SYMLINKS);
    archive_write_disk_set_standard_lookup(disk.get());
    if (archive_read_open_filename(reader.get(), archive.c_str(), 1 << 20) != ARCHIVE_OK) {
        return Error{"cannot read " + archive.string() + ": " + archive_reason(reader.get())};
    }
    std::string buffer(1 << 20, '\0');
    for (;;) {
        struct archive_entry* entry = nullptr;
        const int status = archive_read_next_header(reader.get(), &entry);
        if (status == ARCHIVE_EOF) break;
        if (status != ARCHIVE_OK && status != ARCHIVE_WARN) {
            return Error{"damaged archive: " + archive_reason(reader.get())};
        }
        const std::string name = archive_entry_pathname(entry);
        const std::filesystem::path target = directory / name;
        archive_entry_set_pathname(entry, target.c_str());
        if (archive_write_header(disk.get(), entry) != ARCHIVE_OK) {
            return Error{"cannot unpack '" + name + "': " + archive_reason(disk.get())};
        }
        if (archive_entry_filetype(entry) == AE_IFREG) {
            for (;;) {
                la_ssize_t got = archive_read_data(reader.get(), buffer.data(), buffer.size());
                if (got == 0) break;
                if (got < 0) return Error{"damaged archive: " + archive_reason(reader.get())};
                if (archive_write_data(disk.get(), buffer.data(), static_cast<size_t>(got)) < 0) {
                    return Error{"cannot unpack '" + name + "': " + archive_reason(disk.get())};
                }
            }
        }
        if (archive_write_finish_entry(disk.get()) != ARCHIVE_OK) {
            return Error{"cannot unpack '" + name + "': " + archive_reason(disk.get())};
        }
    }
    return {};
}

Status copy_tar(const std::filesystem::path& archive, const std::filesystem::path& copy,
                const std::function<std::optional<std::string>(const TarEntry&)>& rename) {
    auto reader = TarReader::open(archive);
    if (!reader) return reader.error();
    auto writer = TarWriter::create(copy);
    if (!writer) return writer.error();
    for (;;) {
        auto next = reader->next();
        if (!next) return next.error();
        if (!*next) break;
        auto name = rename(**next);
        if (!name) continue;
        if (Status copied = writer->copy_entry(*reader, *name); !copied) return copied;
    }
    return writer->finish();
}

Status copy_tar_with_prefix(const std::filesystem::path& archive, const std::string& prefix,
                            const std::filesystem::path& copy) {
    return copy_tar(archive, copy, [&prefix](const TarEntry& entry) {
        return std::optional<std::string>(prefix.empty() ? entry.path : prefix + "/" + entry.path);
    });
}

}  // namespace fmg::agent
