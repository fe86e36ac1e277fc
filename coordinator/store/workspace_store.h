#pragma once
// Workspace layers (persist_to_workspace / attach_workspace; docs/files.md): named operations
// on the `workspace_layers` table. Each layer is a tar in the blob store.

#include <cstdint>
#include <string>
#include <vector>

#include "coordinator/store/database.h"
#include "coordinator/store/rows.h"

namespace fmg::coordinator::workspaces {

struct NewLayer {
    int64_t attempt_id = 0;
    uint64_t upload_id = 0;
    std::string sha256;
    int64_t size = 0;
    std::string root;  // the step's root, as written (shown in logs)
};

/// Records a stored layer and its blob, in one transaction.
void record_layer(Database& db, const NewLayer& layer, int64_t now);

/// Whether the attempt's upload `upload_id` was recorded as a layer.
bool layer_recorded(Database& db, int64_t attempt_id, uint64_t upload_id);

/// The layers a job attaching the workspace gets: those the current attempts of the jobs it
/// requires (directly or through others) stored, oldest first (later layers win where two
/// hold the same file). Digests, in order.
std::vector<std::string> layers_for(Database& db, const JobRow& job);

}  // namespace fmg::coordinator::workspaces
