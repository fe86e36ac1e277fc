#include "coordinator/secrets/rotation.h"

#include "coordinator/store/secret_store.h"
#include "shared/log.h"

namespace fmg::coordinator {

Result<Rotated> rotate_secrets_key(Database& db, Keyring& keyring) {
    const int64_t key_id = keyring.add_key();
    auto resealed = secrets::reseal_all(db, keyring);
    if (!resealed) return resealed.error();
    keyring.drop_old_keys();
    FMG_LOG(info) << "secrets key rotated: key " << key_id << " seals " << *resealed
                  << " secret(s); the old keys are gone";
    return Rotated{key_id, *resealed};
}

}  // namespace fmg::coordinator
