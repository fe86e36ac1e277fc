#include "agent/job/workspace_steps.h"

#include <fstream>

#include "agent/files/layer_entries.h"
#include "agent/files/tar_reader.h"
#include "agent/files/tar_writer.h"
#include "agent/job/spool_files.h"
#include "shared/crypto.h"
#include "shared/safe_path.h"

namespace fmg::agent {
namespace {

/// Adds what `pattern` selects under `root` to the layer; counts files and bytes.
Status add_pattern(JobExecution& execution, const std::string& root, const std::string& pattern,
                   const std::filesystem::path& scratch, TarWriter& layer, size_t& files,
                   uint64_t& bytes) {
    const std::string tidy = tidy_path(pattern);
    const bool everything = tidy.empty();  // "." or "./"
    if (!everything) {
        if (auto unsafe = unsafe_path_reason(tidy)) {
            return Error{"path '" + pattern + "' is refused: " + *unsafe +
                         "; paths are relative to the root"};
        }
    }
    const std::string prefix = everything ? "" : literal_prefix(tidy);
    const std::string source = prefix.empty() ? root : root + "/" + prefix;
    auto exported = execution.export_path(source, scratch);
    if (!exported) return exported.error();
    if (!*exported) return Error{"nothing at " + source + " (path '" + pattern + "')"};
    auto reader = TarReader::open(scratch);
    if (!reader) return reader.error();
    // The archive's names start with the source's last part; below the root they start with
    // the prefix's parent.
    const std::string parent =
        prefix.find('/') == std::string::npos ? "" : prefix.substr(0, prefix.rfind('/'));
    std::string base;
    size_t selected = 0;
    for (;;) {
        auto next = reader->next();
        if (!next) return next.error();
        if (!*next) break;
        TarEntry entry = **next;
        if (base.empty()) base = entry.path.substr(0, entry.path.find('/'));
        std::string inner = entry.path == base ? "" : entry.path.substr(base.size() + 1);
        std::string relative;
        if (prefix.empty()) {
            relative = inner;
        } else {
            relative = (parent.empty() ? "" : parent + "/") + base;
            if (!inner.empty()) relative += "/" + inner;
        }
        if (relative.empty()) continue;  // the root itself
        if (!everything && !pattern_selects(tidy, relative)) continue;
        ++selected;
        if (entry.type == TarEntry::Type::other) continue;  // hard links, devices: not kept
        entry.path = relative;
        if (auto unsafe = unsafe_entry_reason(entry)) {
            return Error{"cannot keep " + *unsafe};
        }
        if (Status copied = layer.copy_entry(*reader, relative); !copied) return copied;
        if (entry.type == TarEntry::Type::file) {
            ++files;
            bytes += entry.size;
        }
    }
    if (selected == 0) return Error{"path '" + pattern + "' matched nothing under " + root};
    return {};
}

/// The one pattern of a step whose export already is its layer: a literal name directly
/// under the root ("dist", "build"), so the archive's names are the paths below the root.
bool exports_as_layer(const protocol::StepSpec& step) {
    if (step.paths.size() != 1) return false;
    const std::string tidy = tidy_path(step.paths.front());
    return !tidy.empty() && !unsafe_path_reason(tidy) && tidy.find('/') == std::string::npos &&
           literal_prefix(tidy) == tidy;
}

/// Checks every entry of an export that is the layer as it is, counting files and bytes:
/// true when it can be uploaded as it is, false when it holds what a layer does not keep
/// (hard links, devices), which the copying path leaves out.
Result<bool> check_layer(const std::filesystem::path& layer, size_t& files, uint64_t& bytes) {
    auto reader = TarReader::open(layer);
    if (!reader) return reader.error();
    for (;;) {
        auto next = reader->next();
        if (!next) return next.error();
        if (!*next) return true;
        const TarEntry& entry = **next;
        if (entry.type == TarEntry::Type::other) return false;
        if (auto unsafe = unsafe_entry_reason(entry)) return Error{"cannot keep " + *unsafe};
        if (entry.type == TarEntry::Type::file) {
            ++files;
            bytes += entry.size;
        }
    }
}

}  // namespace

Result<std::pair<std::string, uint64_t>> file_digest(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Error{"cannot read " + file.string()};
    crypto::Sha256 digest;
    std::string buffer(1 << 20, '\0');
    uint64_t size = 0;
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        const auto got = static_cast<size_t>(in.gcount());
        digest.update(std::string_view(buffer.data(), got));
        size += got;
    }
    if (in.bad()) return Error{"cannot read " + file.string()};
    return std::make_pair(digest.finish_hex(), size);
}

Status persist_to_workspace(JobExecution& execution, const protocol::StepSpec& step,
                            const std::filesystem::path& spool_dir, const UploadLayer& upload,
                            const OutputSink& output) {
    std::error_code ec;
    std::filesystem::create_directories(spool_dir, ec);
    SpoolFiles spool{{spool_dir / "layer.tar", spool_dir / "export.tar"}};
    size_t files = 0;
    uint64_t bytes = 0;
    // The common case, one folder under the root, uploads the export itself (read once to
    // check it) instead of copying it entry by entry.
    bool exported_whole = false;
    if (exports_as_layer(step)) {
        const std::string name = tidy_path(step.paths.front());
        auto exported = execution.export_path(step.root + "/" + name, spool.files[0]);
        if (!exported) return exported.error();
        if (!*exported) {
            return Error{"nothing at " + step.root + "/" + name + " (path '" + step.paths.front() +
                         "')"};
        }
        auto whole = check_layer(spool.files[0], files, bytes);
        if (!whole) return whole.error();
        exported_whole = *whole;
        if (!exported_whole) files = bytes = 0;
    }
    if (!exported_whole) {
        auto layer = TarWriter::create(spool.files[0]);
        if (!layer) return layer.error();
        for (const std::string& pattern : step.paths) {
            if (Status added = add_pattern(execution, step.root, pattern, spool.files[1], *layer,
                                           files, bytes);
                !added) {
                return added;
            }
        }
        if (Status finished = layer->finish(); !finished) return finished;
    }
    auto digest = file_digest(spool.files[0]);
    if (!digest) return digest.error();
    if (Status sent = upload(spool.files[0], digest->second, digest->first); !sent) {
        return Error{"uploading the layer: " + sent.error().message};
    }
    output("Persisted " + std::to_string(files) + (files == 1 ? " file" : " files") + " (" +
           size_text(bytes) + ") from " + step.root + " to the workspace (layer " +
           digest->first.substr(0, 12) + ", " + size_text(digest->second) + ")\n");
    return {};
}

Status attach_workspace(JobExecution& execution, const protocol::StepSpec& step,
                        const std::filesystem::path& spool_dir, const FetchLayer& fetch,
                        const OutputSink& output) {
    if (step.layers.empty()) {
        return Error{
            "no job this one requires (directly or through others) persisted a "
            "workspace: add a persist_to_workspace step to one of them"};
    }
    std::error_code ec;
    std::filesystem::create_directories(spool_dir, ec);
    SpoolFiles spool{{spool_dir / "layer.tar"}};
    uint64_t bytes = 0;
    for (const std::string& layer : step.layers) {
        if (Status got = fetch(layer, spool.files[0]); !got) {
            return Error{"fetching layer " + layer.substr(0, 12) + ": " + got.error().message};
        }
        auto unsafe = first_unsafe_entry(spool.files[0]);
        if (!unsafe) return unsafe.error();
        if (*unsafe) {
            return Error{"layer " + layer.substr(0, 12) + " is refused: it holds " + **unsafe};
        }
        if (Status unpacked = execution.import_archive(step.at, spool.files[0]); !unpacked) {
            return unpacked;
        }
        bytes += std::filesystem::file_size(spool.files[0], ec);
    }
    output("Attached " + std::to_string(step.layers.size()) +
           (step.layers.size() == 1 ? " layer" : " layers") + " (" + size_text(bytes) + ") at " +
           step.at + "\n");
    return {};
}

}  // namespace fmg::agent
