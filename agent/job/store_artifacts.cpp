#include "agent/job/store_artifacts.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "agent/files/tar_reader.h"
#include "shared/crypto.h"
#include "shared/safe_path.h"

namespace fmg::agent {
namespace {

/// Copies the reader's current entry to `file`, returning its SHA-256.
Result<std::string> spool_entry(TarReader& reader, const std::filesystem::path& file) {
    FILE* out = std::fopen(file.c_str(), "wb");
    if (out == nullptr) return Error{"cannot write " + file.string()};
    crypto::Sha256 digest;
    Status copied = reader.read_data([&](std::string_view piece) -> Status {
        digest.update(piece);
        if (std::fwrite(piece.data(), 1, piece.size(), out) != piece.size()) {
            return Error{"cannot write " + file.string() + " (is the agent's disk full?)"};
        }
        return {};
    });
    const bool closed = std::fclose(out) == 0;
    if (!copied) return copied.error();
    if (!closed) return Error{"cannot write " + file.string()};
    return digest.finish_hex();
}

std::string size_text(uint64_t bytes) {
    return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
}

}  // namespace

std::string default_artifact_destination(const std::string& path) {
    std::string tidy = tidy_path(path);
    if (tidy == "~") return "";
    if (tidy.rfind("~/", 0) == 0) return tidy.substr(2);
    if (!tidy.empty() && tidy.front() == '/') return tidy.substr(1);
    return tidy;
}

namespace {

/// How the two steps differ.
struct FileRules {
    bool reports = false;  // store_test_results: `.xml` files, no destination
    const char* noun = "artifact";
    const char* nouns = "artifacts";
};

bool is_report_name(const std::string& name) {
    return name.size() >= 4 && std::equal(name.end() - 4, name.end(), ".xml", [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == b;
           });
}

Status upload_files(JobExecution& execution, const protocol::StepSpec& step,
                    const std::filesystem::path& spool_dir, const UploadArtifact& upload,
                    const OutputSink& output, const FileRules& rules) {
    const std::string& path = step.paths.front();
    const std::string destination = rules.reports ? ""
                                    : step.destination.empty()
                                        ? default_artifact_destination(path)
                                        : default_artifact_destination(step.destination);
    std::error_code ec;
    std::filesystem::create_directories(spool_dir, ec);
    const std::filesystem::path archive = spool_dir / "artifacts.tar";
    const std::filesystem::path spooled = spool_dir / "artifact";
    struct Cleanup {
        std::filesystem::path a, b;
        ~Cleanup() {
            std::error_code ignored;
            std::filesystem::remove(a, ignored);
            std::filesystem::remove(b, ignored);
        }
    } cleanup{archive, spooled};

    auto exported = execution.export_path(path, archive);
    if (!exported) return exported.error();
    if (!*exported) {
        output(std::string("No ") + (rules.reports ? "test result" : "artifact") +
               " files found at " + path + "\n");
        return {};
    }
    auto reader = TarReader::open(archive);
    if (!reader) return reader.error();
    size_t stored = 0;
    uint64_t stored_bytes = 0;
    std::string root;  // the archive's first part: the path's last part
    for (;;) {
        auto next = reader->next();
        if (!next) return next.error();
        if (!*next) break;
        const TarEntry& entry = **next;
        if (root.empty()) root = entry.path.substr(0, entry.path.find('/'));
        // Inside the path: its part after the root; the path itself when it is a file.
        std::string inner;
        if (entry.path != root) {
            if (entry.path.rfind(root + "/", 0) != 0) {
                return Error{"the archive of " + path + " holds '" + entry.path +
                             "', outside its root '" + root + "'"};
            }
            inner = entry.path.substr(root.size() + 1);
        }
        if (entry.type == TarEntry::Type::directory) continue;
        std::string name = inner.empty()
                               ? (destination.empty() ? root : destination)
                               : (destination.empty() ? inner : destination + "/" + inner);
        if (auto unsafe = unsafe_path_reason(name)) {
            return Error{std::string(rules.noun) + " '" + name + "' is refused: " + *unsafe};
        }
        if (rules.reports && !inner.empty() && !is_report_name(name)) continue;
        if (entry.type == TarEntry::Type::symlink) {
            output("Skipped " + name + ": a symbolic link (to " + entry.link_target + "); " +
                   rules.nouns + " keep files only\n");
            continue;
        }
        if (entry.type != TarEntry::Type::file) {
            output("Skipped " + name + ": not a regular file\n");
            continue;
        }
        auto digest = spool_entry(*reader, spooled);
        if (!digest) return digest.error();
        const uint64_t size = std::filesystem::file_size(spooled, ec);
        if (ec) return Error{"cannot read " + spooled.string() + ": " + ec.message()};
        if (Status sent = upload(spooled, name, size, *digest); !sent) {
            return Error{"uploading " + name + ": " + sent.error().message};
        }
        output("Uploaded " + name + " (" + size_text(size) + ")\n");
        ++stored;
        stored_bytes += size;
    }
    output("Stored " + std::to_string(stored) + " " + (stored == 1 ? rules.noun : rules.nouns) +
           " (" + size_text(stored_bytes) + ") from " + path + "\n");
    return {};
}

}  // namespace

Status store_artifacts(JobExecution& execution, const protocol::StepSpec& step,
                       const std::filesystem::path& spool_dir, const UploadArtifact& upload,
                       const OutputSink& output) {
    return upload_files(execution, step, spool_dir, upload, output, FileRules{});
}

Status store_test_results(JobExecution& execution, const protocol::StepSpec& step,
                          const std::filesystem::path& spool_dir, const UploadArtifact& upload,
                          const OutputSink& output) {
    return upload_files(execution, step, spool_dir, upload, output,
                        FileRules{true, "test result file", "test result files"});
}

}  // namespace fmg::agent
