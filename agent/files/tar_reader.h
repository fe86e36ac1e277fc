#pragma once
// Reads the entries of a tar archive (any format libarchive reads: ustar, pax, GNU) one by
// one, streaming each file's bytes, for the agent's file steps (docs/files.md). libarchive is
// the one Debian-packaged library that reads every tar dialect Docker and tar(1) write; the
// formats are not reimplemented here.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "shared/result.h"

struct archive;
struct archive_entry;

namespace fmg::agent {

struct TarEntry {
    enum class Type { file, directory, symlink, other };
    std::string path;  // as stored: e.g. "out/app.bin" (a trailing '/' dropped)
    Type type = Type::other;
    uint64_t size = 0;        // files: their bytes
    std::string link_target;  // symlinks: where they point
};

class TarReader {
  public:
    /// Opens `archive_file`. Fails with libarchive's reason.
    static Result<TarReader> open(const std::filesystem::path& archive_file);
    TarReader(TarReader&& other) noexcept;
    TarReader& operator=(TarReader&& other) noexcept;
    TarReader(const TarReader&) = delete;
    TarReader& operator=(const TarReader&) = delete;
    ~TarReader();

    /// The next entry, or nullopt at the end. Fails on a damaged archive.
    Result<std::optional<TarEntry>> next();
    /// Streams the current entry's bytes to `sink` in pieces. Fails on a damaged archive or
    /// when `sink` fails.
    Status read_data(const std::function<Status(std::string_view)>& sink);

    /// The current entry's libarchive record (for TarWriter::copy_entry).
    struct archive_entry* current() const {
        return current_;
    }

  private:
    explicit TarReader(struct archive* handle) : archive_(handle) {}
    struct archive* archive_ = nullptr;
    struct archive_entry* current_ = nullptr;  // owned by archive_
    std::string buffer_;                       // read_data's, kept between entries
};

}  // namespace fmg::agent
