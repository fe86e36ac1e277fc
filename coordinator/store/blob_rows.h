#pragma once
// The `blobs` table: one row per file in the blob store (files/blob_store.h), written with
// whatever refers to it (an artifact, a workspace layer, a test report).

#include <cstdint>
#include <string>

#include "coordinator/store/database.h"

namespace fmg::coordinator::blobs {

/// Records the blob `sha256` of `size` bytes, unless it is recorded already. Call it within
/// the transaction that records what refers to it.
void record(Database& db, const std::string& sha256, int64_t size, int64_t now);

}  // namespace fmg::coordinator::blobs
