#include "agent/job/ssh_keys.h"

#include <Poco/String.h>

#include <algorithm>
#include <chrono>

#include "agent/executor/run_program.h"
#include "shared/crypto.h"

namespace fmg::agent {
namespace {

constexpr std::chrono::seconds kSshKeygenTimeout{10};
constexpr size_t kMaxSshKeygenOutput = 16 * 1024;

std::string colon_hex(std::string_view bytes) {
    const std::string hex = crypto::to_hex(bytes);
    std::string out;
    for (size_t i = 0; i < hex.size(); i += 2) {
        if (!out.empty()) out += ':';
        out += hex.substr(i, 2);
    }
    return out;
}

/// A name the add-keys script may `eval`: a variable's name.
bool variable_name(std::string_view name) {
    if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_';
    });
}

}  // namespace

bool holds_private_key(std::string_view value) {
    const size_t begin = value.find("-----BEGIN ");
    if (begin == std::string_view::npos) return false;
    const size_t line_end = value.find('\n', begin);
    const std::string_view armour = value.substr(begin, line_end - begin);
    return armour.find("PRIVATE KEY-----") != std::string_view::npos;
}

Result<Fingerprints> fingerprints_of_public_key(std::string_view line) {
    const size_t type_end = line.find(' ');
    if (type_end == std::string_view::npos || type_end == 0) {
        return Error{"not a public key line"};
    }
    std::string_view rest = line.substr(type_end + 1);
    const std::string_view encoded = rest.substr(0, rest.find_first_of(" \n\r"));
    auto blob = crypto::base64_decode(encoded);
    if (!blob || blob->empty()) return Error{"not a public key line"};
    crypto::Sha256 sha256;
    sha256.update(*blob);
    std::string sha = crypto::base64_encode(sha256.finish_bytes());
    while (!sha.empty() && sha.back() == '=') sha.pop_back();
    return Fingerprints{"SHA256:" + sha, "MD5:" + colon_hex(crypto::md5_bytes(*blob))};
}

bool fingerprint_matches(std::string_view wanted, const Fingerprints& key) {
    if (wanted.rfind("SHA256:", 0) == 0) return wanted == key.sha256;
    const std::string md5 =
        Poco::toLower(std::string(wanted.rfind("MD5:", 0) == 0 ? wanted.substr(4) : wanted));
    return "MD5:" + md5 == key.md5;
}

Result<std::string> public_key_of(std::string_view private_key) {
    // Where Debian's openssh-client (and every distribution's) puts it.
    const auto program = find_program({"/usr/bin/ssh-keygen", "/bin/ssh-keygen"});
    if (!program) {
        return Error{
            "ssh-keygen is not installed on this runner (install openssh-client): it "
            "reads the keys' fingerprints"};
    }
    if (private_key.size() + 1 > kMaxSpawnInput) return Error{"too large to be an SSH key"};
    SpawnRequest request;
    // -P '': a key with a passphrase fails instead of asking for it.
    request.argv = {*program, "-y", "-P", "", "-f", "/dev/stdin"};
    request.env = {"PATH=/usr/bin:/bin", "LC_ALL=C"};
    request.working_directory = "/";
    request.input = std::string(private_key) + "\n";  // ssh-keygen needs the last line ended
    auto outcome = run_program(request, kSshKeygenTimeout, kMaxSshKeygenOutput);
    if (!outcome) return outcome.error();
    if (outcome->exit_code != 0) {
        return Error{"ssh-keygen cannot read it without a passphrase (" + outcome->output + ")"};
    }
    return outcome->output;
}

KeyChoice choose_keys(const std::map<std::string, std::string>& secrets,
                      const std::vector<std::string>& wanted,
                      const std::function<Result<std::string>(std::string_view)>& read) {
    KeyChoice choice;
    std::vector<std::pair<std::string, Fingerprints>> keys;
    std::vector<std::string> unreadable;
    for (const auto& [name, value] : secrets) {
        if (!variable_name(name) || !holds_private_key(value)) continue;
        if (wanted.empty()) {
            choice.secrets.push_back(name);
            choice.notes.push_back("the key in secret " + name);
            continue;
        }
        auto line = read(value);
        auto fingerprints =
            line ? fingerprints_of_public_key(*line) : Result<Fingerprints>(line.error());
        if (!fingerprints) {
            unreadable.push_back("secret " + name + ": " + fingerprints.error().message);
            continue;
        }
        keys.emplace_back(name, *fingerprints);
    }
    for (const std::string& fingerprint : wanted) {
        bool found = false;
        for (const auto& [name, key] : keys) {
            if (!fingerprint_matches(fingerprint, key)) continue;
            found = true;
            if (std::find(choice.secrets.begin(), choice.secrets.end(), name) ==
                choice.secrets.end()) {
                choice.secrets.push_back(name);
                choice.notes.push_back(key.sha256 + " (" + key.md5 + ") in secret " + name);
            }
            break;
        }
        if (found) continue;
        choice.problem = "no secret of this job holds the SSH key " + fingerprint;
        for (const std::string& why : unreadable) choice.problem += "; " + why;
        choice.secrets.clear();
        choice.notes.clear();
        return choice;
    }
    if (choice.secrets.empty()) {
        choice.problem =
            "none of this job's secrets holds an SSH private key (an admin adds one to the "
            "repository with: fmg secret set --repo OWNER/NAME NAME < key_file, or to a context "
            "the job names)";
    }
    return choice;
}

const char* add_keys_script() {
    // The names are secrets' names, checked as variable names by the coordinator; `eval` only
    // reads the variable a name names.
    return R"sh(if ! command -v ssh-add >/dev/null 2>&1; then
  echo "fmg: add_ssh_keys: ssh-add is not installed where this job's steps run (install openssh-client)" >&2
  exit 1
fi
for name in $FMG_SSH_KEY_NAMES; do
  eval "key=\${$name}"
  if ! printf '%s\n' "$key" | ssh-add - 2>&1; then
    echo "fmg: add_ssh_keys: ssh-add refused the key in secret $name (a key with a passphrase cannot be loaded)" >&2
    exit 1
  fi
done
ssh-add -l
)sh";
}

}  // namespace fmg::agent
