#pragma once
// Rotating the key that seals secrets (docs/security.md "Rotating every credential"): a named
// operation in three steps, each leaving every secret readable if the coordinator stops there.

#include <cstdint>

#include "coordinator/secrets/keyring.h"
#include "coordinator/store/database.h"
#include "shared/result.h"

namespace fmg::coordinator {

struct Rotated {
    int64_t key_id = 0;    // the new key
    int64_t resealed = 0;  // secrets sealed again with it
};

/// Adds a fresh key to secrets.key (it seals from now on), seals every secret again with it
/// in one transaction, then drops the old keys from the file. When a secret does not open the
/// old keys stay (nothing is lost) and the Error says which secret.
Result<Rotated> rotate_secrets_key(Database& db, Keyring& keyring);

}  // namespace fmg::coordinator
