// Keeping a mirror's pack count bounded: each fetch writes one more pack, and libgit2 has no
// `gc --auto`. Past kMaxMirrorPacks, the small packs are merged into one (like git's
// geometric repacking, the large first-clone pack is left alone, so the cost follows what
// was fetched since, not the repository's size). Readers hold the mirror's shared lock, the
// merge its exclusive one; a generation count in the mirror directory tells a repository
// opened before a merge to open again.

#include <arpa/inet.h>
#include <git2.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include "shared/git/error.h"
#include "shared/git/mirror_impl.h"
#include "shared/log.h"

namespace fmg::git {
namespace {

namespace fs = std::filesystem;

constexpr const char* kGenerationFile = "fmg-pack-generation";

struct Pack {
    fs::path pack;  // objects/pack/pack-HASH.pack
    uintmax_t size = 0;
    fs::path with(const std::string& extension) const {
        return fs::path(pack).replace_extension(extension);
    }
};

// The mirror's packs that may be merged: every pack-*.pack with its .idx and no .keep.
std::vector<Pack> list_packs(const fs::path& pack_dir) {
    std::vector<Pack> packs;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(pack_dir, ec)) {
        const fs::path& path = entry.path();
        if (path.extension() != ".pack" || path.filename().string().rfind("pack-", 0) != 0) {
            continue;
        }
        Pack pack{path, entry.file_size(ec)};
        if (ec || !fs::exists(pack.with(".idx")) || fs::exists(pack.with(".keep"))) continue;
        packs.push_back(pack);
    }
    return packs;
}

uint32_t big_endian_u32(const char* bytes) {
    uint32_t value = 0;
    std::memcpy(&value, bytes, sizeof value);
    return ntohl(value);
}

// The object ids a version 2 pack index lists (git's pack-format: magic "\377tOc", version 2,
// a 256-entry fan-out table whose last entry is the object count, then the sorted ids).
Result<std::vector<git_oid>> read_index_ids(const fs::path& idx) {
    std::ifstream in(idx, std::ios::binary);
    char header[8 + 256 * 4];
    if (!in.read(header, sizeof header)) return Error{idx.string() + ": too short"};
    if (std::memcmp(header, "\377tOc", 4) != 0 || big_endian_u32(header + 4) != 2) {
        return Error{idx.string() + ": not a version 2 pack index"};
    }
    const uint32_t count = big_endian_u32(header + 8 + 255 * 4);
    std::vector<git_oid> ids(count);
    for (git_oid& id : ids) {
        if (!in.read(reinterpret_cast<char*>(id.id), GIT_OID_RAWSZ)) {
            return Error{idx.string() + ": truncated object ids"};
        }
    }
    return ids;
}

Status write_generation(const fs::path& mirror, uint64_t generation) {
    const fs::path file = mirror / kGenerationFile;
    const fs::path scratch = mirror / (std::string(kGenerationFile) + ".new");
    {
        std::ofstream out(scratch, std::ios::trunc);
        out << generation << "\n";
        if (!out.flush()) return Error{"write " + scratch.string()};
    }
    std::error_code ec;
    fs::rename(scratch, file, ec);
    if (ec) return Error{"rename " + scratch.string() + ": " + ec.message()};
    return {};
}

Status reopen(MirrorState& impl, const std::string& action) {
    git_repository* raw_repo = nullptr;
    if (int rc = git_repository_open_bare(&raw_repo, impl.path.c_str()); rc < 0) {
        return libgit2_error(action, rc);
    }
    impl.repo.reset(raw_repo);
    impl.pack_generation = read_pack_generation(impl.path);
    return {};
}

}  // namespace

uint64_t read_pack_generation(const fs::path& mirror) {
    std::ifstream in(mirror / kGenerationFile);
    uint64_t generation = 0;
    in >> generation;
    return generation;
}

Status consolidate_packs(MirrorState& impl) {
    const fs::path pack_dir = impl.path / "objects" / "pack";
    std::vector<Pack> packs = list_packs(pack_dir);
    if (packs.size() <= kMaxMirrorPacks) return {};
    const std::string action = "merge the packs of " + impl.path.string();
    const auto started = std::chrono::steady_clock::now();
    // Keep the largest; merge the rest.
    std::sort(packs.begin(), packs.end(),
              [](const Pack& a, const Pack& b) { return a.size > b.size; });
    packs.erase(packs.begin());

    git_packbuilder* raw_builder = nullptr;
    if (int rc = git_packbuilder_new(&raw_builder, impl.repo.get()); rc < 0) {
        return libgit2_error(action, rc);
    }
    PackbuilderHandle builder(raw_builder);
    std::vector<Pack> merged;
    size_t objects = 0;
    for (const Pack& pack : packs) {
        auto ids = read_index_ids(pack.with(".idx"));
        if (!ids) {
            FMG_LOG(warn) << "git: " << action << ": left " << pack.pack.filename().string()
                          << " alone: " << ids.error().message;
            continue;
        }
        for (const git_oid& id : *ids) {
            if (int rc = git_packbuilder_insert(builder.get(), &id, nullptr); rc < 0) {
                return libgit2_error(action, rc);
            }
        }
        objects += ids->size();
        merged.push_back(pack);
    }
    if (merged.size() < 2) return {};
    if (int rc = git_packbuilder_write(builder.get(), pack_dir.c_str(), 0, nullptr, nullptr);
        rc < 0) {
        return libgit2_error(action, rc);
    }
    const std::string written = std::string("pack-") + git_packbuilder_name(builder.get());

    // The new pack holds every object of the merged ones: they can go. Readers wait on the
    // lock meanwhile; a repository they opened earlier is opened again (generation).
    for (const Pack& pack : merged) {
        if (pack.pack.stem() == written) continue;
        std::error_code ec;
        for (const char* extension : {".pack", ".idx", ".rev"}) {
            fs::remove(pack.with(extension), ec);
        }
    }
    if (auto recorded = write_generation(impl.path, read_pack_generation(impl.path) + 1);
        !recorded) {
        return Error{action + ": " + recorded.error().message};
    }
    if (auto reopened = reopen(impl, action); !reopened) return reopened;
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    FMG_LOG(info) << "git: merged " << merged.size() << " packs (" << objects << " objects) of "
                  << impl.display_url << " into " << written << " in " << elapsed.count() << " ms";
    return {};
}

Result<FileLock> lock_for_reading(MirrorState& impl, std::string_view action) {
    auto lock = FileLock::acquire(impl.lock_path, FileLock::Mode::shared);
    if (!lock) return Error{std::string(action) + ": " + lock.error().message};
    if (read_pack_generation(impl.path) != impl.pack_generation) {
        if (auto reopened = reopen(impl, std::string(action)); !reopened) {
            return reopened.error();
        }
    }
    return lock;
}

}  // namespace fmg::git
