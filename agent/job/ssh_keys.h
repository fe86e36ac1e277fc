#pragma once
// `add_ssh_keys` (docs/security.md "SSH keys"): which of a job's secrets are SSH private keys,
// their fingerprints, and which of them a step's `fingerprints` select. The keys are loaded
// into an SSH agent of the job's own where its steps run (JobExecution::start_ssh_agent), from
// the step's environment into `ssh-add -`: never written to a file.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "shared/result.h"

namespace fmg::agent {

/// Whether a secret's value is an SSH private key: PEM or OpenSSH armour
/// (`-----BEGIN ... PRIVATE KEY-----`).
bool holds_private_key(std::string_view value);

/// A key's fingerprints as `ssh-keygen -l` prints them.
struct Fingerprints {
    std::string sha256;  // "SHA256:" and unpadded base64 of the SHA-256 of the public key blob
    std::string md5;     // "MD5:" and colon-separated hex pairs of its MD5
};

/// The fingerprints of a public key line (`ssh-ed25519 AAAA... comment`, what `ssh-keygen -y`
/// prints). An Error when it is not one.
Result<Fingerprints> fingerprints_of_public_key(std::string_view line);

/// Whether `wanted`, as a config writes it, names the key: `SHA256:...` exactly, or its MD5 as
/// `MD5:aa:bb:...` or bare `aa:bb:...` (CircleCI's form) in either case.
bool fingerprint_matches(std::string_view wanted, const Fingerprints& key);

/// The public key line of a private key without a passphrase, by the runner's
/// `ssh-keygen -y` (the key on its standard input, never in a file or an argument).
Result<std::string> public_key_of(std::string_view private_key);

/// What a step's `fingerprints` select of the job's keys: the secrets to load, by name.
struct KeyChoice {
    std::vector<std::string> secrets;  // in name order; empty when `problem` is set
    std::vector<std::string> notes;    // one line per chosen key: "SHA256:... (secret DEPLOY)"
    std::string problem;               // why the step fails, else empty
};

/// Chooses among `secrets` (name -> value): with no `wanted`, every one that holds a private
/// key; else, for each fingerprint, the secret whose key has it (`read` gives a key's public
/// line: public_key_of, or a stand-in in tests). A fingerprint no key has is the problem, named.
KeyChoice choose_keys(const std::map<std::string, std::string>& secrets,
                      const std::vector<std::string>& wanted,
                      const std::function<Result<std::string>(std::string_view)>& read);

/// The variable the add-keys script reads the chosen secrets' names from.
inline constexpr const char* kSshKeyNamesVariable = "FMG_SSH_KEY_NAMES";

/// The shell script (POSIX sh) a step runs to load the keys named in kSshKeyNamesVariable
/// from the step's own variables into the agent at SSH_AUTH_SOCK with `ssh-add -`, then list
/// them. Fixed text: no name or value reaches it but through variables.
const char* add_keys_script();

}  // namespace fmg::agent
