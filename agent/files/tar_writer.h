#pragma once
// Writes a tar archive (pax) of a file or directory on the agent's host, for the shell
// executor's file steps (the docker executor gets its archives from Docker). libarchive walks
// the tree and writes the format; symbolic links are stored as links, never followed, so an
// archive holds only what is inside the tree.

#include <filesystem>
#include <memory>
#include <string>

#include "agent/files/tar_reader.h"
#include "shared/result.h"

struct archive;

namespace fmg::agent {

/// Writes a tar archive (pax) entry by entry: the layers of workspaces, made of entries read
/// from other archives under new names.
class TarWriter {
  public:
    /// Creates `archive_file`. Fails with libarchive's reason.
    static Result<TarWriter> create(const std::filesystem::path& archive_file);
    TarWriter(TarWriter&& other) noexcept;
    TarWriter& operator=(TarWriter&& other) noexcept;
    TarWriter(const TarWriter&) = delete;
    TarWriter& operator=(const TarWriter&) = delete;
    ~TarWriter();

    /// Adds the entry `reader` is at, named `path`, with its bytes for a file.
    Status copy_entry(TarReader& reader, const std::string& path);
    /// Ends the archive; it is complete only after this.
    Status finish();

  private:
    explicit TarWriter(struct archive* handle) : archive_(handle) {}
    struct archive* archive_ = nullptr;
};

/// Archives `source` into `archive`, entries named from the source's last part as
/// `docker cp` names them ("out", "out/a.txt"; a file "a.txt" alone). Fails with
/// libarchive's reason.
Status write_tar_of(const std::filesystem::path& source, const std::filesystem::path& archive);

}  // namespace fmg::agent
