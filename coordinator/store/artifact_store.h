#pragma once
// The artifacts jobs kept (store_artifacts; docs/files.md): named operations on the `blobs`
// and `artifacts` tables. The bytes are in the blob store (files/blob_store.h).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/store/database.h"

namespace fmg::coordinator::artifacts {

struct ArtifactRow {
    std::string path;    // relative, '/'-separated, as the API lists it
    std::string sha256;  // its blob
    int64_t size = 0;
    int64_t created_at = 0;
};

struct NewArtifact {
    int64_t attempt_id = 0;
    uint64_t upload_id = 0;
    std::string path;
    std::string sha256;
    int64_t size = 0;
};

/// Records a stored artifact and its blob, in one transaction. A second artifact of the
/// attempt at the same path replaces the first (the later step wins, as a later file does).
void record(Database& db, const NewArtifact& artifact, int64_t now);

/// Whether the attempt's upload `upload_id` was recorded (an upload_end repeated after its
/// upload_done was lost).
bool upload_recorded(Database& db, int64_t attempt_id, uint64_t upload_id);

/// The artifacts of the job's current attempt (the one its state comes from), by path; empty
/// for a job that has none or does not exist.
std::vector<ArtifactRow> of_job(Database& db, int64_t pipeline_id, const std::string& job_name);

/// One artifact of the job's current attempt, by path.
std::optional<ArtifactRow> find(Database& db, int64_t pipeline_id, const std::string& job_name,
                                const std::string& path);

}  // namespace fmg::coordinator::artifacts
