#include "agent/job/cache_steps.h"

#include "agent/files/layer_entries.h"
#include "agent/files/tar_extract.h"
#include "agent/files/tar_reader.h"
#include "agent/files/tar_writer.h"
#include "agent/job/spool_files.h"
#include "shared/crypto.h"

namespace fmg::agent {
namespace {

/// Writes `tar` again as `copy` without its unsafe entries, naming each left out in `output`.
Status copy_safe_entries(const std::filesystem::path& tar, const std::filesystem::path& copy,
                         const OutputSink& output) {
    return copy_tar(tar, copy, [&output](const TarEntry& entry) -> std::optional<std::string> {
        if (auto unsafe = unsafe_entry_reason(entry)) {
            output("Left out of the cache: " + *unsafe + "\n");
            return std::nullopt;
        }
        return entry.path;
    });
}

}  // namespace

Result<std::string> cache_place(const std::string& path) {
    std::string tidy = path;
    while (tidy.size() > 1 && tidy.back() == '/') tidy.pop_back();
    if (tidy.empty() || tidy == "." || tidy == "./" || tidy == "~" || tidy == "/") {
        return Error{"path '" + path +
                     "' names no directory inside a place: name what to keep, e.g. "
                     "node_modules or ~/.npm"};
    }
    const size_t slash = tidy.rfind('/');
    if (slash == std::string::npos) return std::string(".");
    if (slash == 0) return std::string("/");
    return tidy.substr(0, slash);
}

Result<std::string> checksum_in_job(JobExecution& execution, const std::string& path,
                                    const std::filesystem::path& scratch) {
    SpoolFiles spool{{scratch}};
    auto exported = execution.export_path(path, scratch);
    if (!exported) return exported.error();
    if (!*exported) return Error{"no file at " + path};
    auto reader = TarReader::open(scratch);
    if (!reader) return reader.error();
    auto entry = reader->next();
    if (!entry) return entry.error();
    if (!*entry || (*entry)->type != TarEntry::Type::file) {
        return Error{path + " is not a regular file"};
    }
    crypto::Sha256 digest;
    Status read = reader->read_data([&](std::string_view piece) -> Status {
        digest.update(piece);
        return {};
    });
    if (!read) return read.error();
    return crypto::base64_encode(digest.finish_bytes());
}

Status save_cache(JobExecution& execution, const protocol::StepSpec& step,
                  const CacheKeyContext& context, const std::filesystem::path& spool_dir,
                  const FindCache& find, const UploadCachePart& upload, const SaveCache& save,
                  const OutputSink& output) {
    auto key = render_cache_key(step.keys.front(), context);
    if (!key) return key.error();
    auto existing = find({*key}, true);
    if (!existing) return Error{"looking the cache up: " + existing.error().message};
    if (!existing->error.empty()) return Error{"looking the cache up: " + existing->error};
    if (!existing->key.empty()) {
        output("Skipping cache generation, cache already exists for key: " + *key + "\n");
        return {};
    }
    std::error_code ec;
    std::filesystem::create_directories(spool_dir, ec);
    SpoolFiles spool{{spool_dir / "part.tar", spool_dir / "safe.tar"}};
    std::vector<uint64_t> uploads;
    uint64_t bytes = 0;
    for (const std::string& path : step.paths) {
        auto place = cache_place(path);
        if (!place) return place.error();
        auto exported = execution.export_path(path, spool.files[0]);
        if (!exported) return exported.error();
        if (!*exported) {
            output("Warning: nothing at " + path + ": not in the cache\n");
            continue;
        }
        std::filesystem::path part = spool.files[0];
        auto unsafe = first_unsafe_entry(part);
        if (!unsafe) return unsafe.error();
        if (*unsafe) {
            if (Status copied = copy_safe_entries(part, spool.files[1], output); !copied) {
                return copied;
            }
            part = spool.files[1];
        }
        auto digest = file_digest(part);
        if (!digest) return digest.error();
        auto id = upload(part, *place, digest->second, digest->first);
        if (!id) return Error{"uploading " + path + ": " + id.error().message};
        uploads.push_back(*id);
        bytes += digest->second;
    }
    if (uploads.empty()) {
        output("Skipping cache generation, no files found for key: " + *key + "\n");
        return {};
    }
    auto saved = save(*key, uploads);
    if (!saved) return Error{"storing the cache: " + saved.error().message};
    if (!saved->error.empty()) return Error{"storing the cache: " + saved->error};
    if (saved->existed) {
        output("Skipping cache generation, another job stored key " + *key +
               " meanwhile (caches are never overwritten)\n");
        return {};
    }
    output("Stored cache " + *key + ": " + std::to_string(uploads.size()) +
           (uploads.size() == 1 ? " path, " : " paths, ") + size_text(bytes) + "\n");
    return {};
}

Status restore_cache(JobExecution& execution, const protocol::StepSpec& step,
                     const CacheKeyContext& context, const std::filesystem::path& spool_dir,
                     const FindCache& find, const FetchLayer& fetch, const OutputSink& output) {
    std::vector<std::string> keys;
    for (const std::string& key : step.keys) {
        auto rendered = render_cache_key(key, context);
        if (!rendered) {
            output("Skipping a key: " + rendered.error().message + "\n");
            continue;
        }
        keys.push_back(std::move(*rendered));
    }
    if (keys.empty()) return Error{"none of the step's keys could be rendered"};
    auto found = find(keys, false);
    if (!found) return Error{"looking the cache up: " + found.error().message};
    if (!found->error.empty()) return Error{"looking the cache up: " + found->error};
    if (found->key.empty()) {
        std::string list;
        for (const auto& key : keys) list += (list.empty() ? "" : ", ") + key;
        output("No cache is found for keys: " + list + "\n");
        return {};
    }
    output("Found a cache at key " + found->key + "\n");
    std::error_code ec;
    std::filesystem::create_directories(spool_dir, ec);
    SpoolFiles spool{{spool_dir / "part.tar"}};
    uint64_t bytes = 0;
    for (const protocol::CachePart& part : found->parts) {
        if (Status got = fetch(part.sha256, spool.files[0]); !got) {
            return Error{"fetching the cache's part for " + part.path + ": " + got.error().message};
        }
        // Every entry is checked before any is unpacked: a part is restored whole or not.
        auto unsafe = first_unsafe_entry(spool.files[0]);
        if (!unsafe) return unsafe.error();
        if (*unsafe) {
            return Error{"cache " + found->key + " is refused: its part for " + part.path +
                         " holds " + **unsafe};
        }
        if (Status unpacked = execution.import_archive(part.path, spool.files[0]); !unpacked) {
            return Error{"restoring into " + part.path + ": " + unpacked.error().message};
        }
        bytes += part.size;
    }
    output("Restored cache " + found->key + " (" + size_text(bytes) + ")\n");
    return {};
}

}  // namespace fmg::agent
