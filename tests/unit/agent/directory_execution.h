#pragma once
// For the file steps' unit tests: a job whose files are under a host folder (archived and
// unpacked as the shell executor does, without its sandbox), and tars crafted with libarchive
// as an attacker would make them.

#include <archive.h>
#include <archive_entry.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "agent/executor/executor.h"
#include "agent/files/tar_extract.h"
#include "agent/files/tar_writer.h"
#include "executor_test_support.h"

namespace fmg::agent::testing {

namespace fs = std::filesystem;

/// A job whose files are under a host folder, archived and unpacked as the shell executor
/// does.
class DirectoryExecution final : public JobExecution {
  public:
    explicit DirectoryExecution(fs::path root) : root_(std::move(root)) {}
    StepExit run(const RunStep&, const OutputSink&) override { return {}; }
    Result<bool> export_path(const std::string& path, const fs::path& archive) override {
        const auto source = (root_ / path).lexically_normal();
        std::error_code ec;
        if (!fs::exists(fs::symlink_status(source, ec))) return false;
        if (Status written = write_tar_of(source, archive); !written) return written.error();
        return true;
    }
    Status import_archive(const std::string& path, const fs::path& archive) override {
        return extract_tar_into(archive, root_ / path);
    }
    void cancel() override {}
    void close() override {}

  private:
    fs::path root_;
};

inline std::string text_of(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

inline void write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

/// A tar with the given (name, symlink target or "" for a file) entries, as an attacker
/// would make it.
inline std::string crafted_tar(const std::vector<std::pair<std::string, std::string>>& entries) {
    TempWorkspace dir;
    const auto file = dir.path() / "evil.tar";
    struct archive* out = archive_write_new();
    archive_write_set_format_pax_restricted(out);
    archive_write_open_filename(out, file.c_str());
    for (const auto& [name, target] : entries) {
        struct archive_entry* entry = archive_entry_new();
        archive_entry_set_pathname(entry, name.c_str());
        if (target.empty()) {
            archive_entry_set_filetype(entry, AE_IFREG);
            archive_entry_set_perm(entry, 0644);
            archive_entry_set_size(entry, 4);
            archive_write_header(out, entry);
            archive_write_data(out, "evil", 4);
        } else {
            archive_entry_set_filetype(entry, AE_IFLNK);
            archive_entry_set_perm(entry, 0777);
            archive_entry_set_symlink(entry, target.c_str());
            archive_write_header(out, entry);
        }
        archive_entry_free(entry);
    }
    archive_write_close(out);
    archive_write_free(out);
    return text_of(file);
}

}  // namespace fmg::agent::testing
