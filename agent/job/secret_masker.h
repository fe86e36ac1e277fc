#pragma once
// Hides a job's secrets in the output of its steps before that output enters the job's log
// (which is streamed to the coordinator and stored): every occurrence of a secret's value, or
// of one of the forms a step commonly prints it in (base64, percent-encoded, line by line),
// becomes kMaskText. Output is masked as it streams, in whatever pieces it arrives, holding
// back only the few bytes that could still become a secret.
//
// The forms of a secret value (secret_forms()):
//  - the value itself (at least kMinSecretBytes, else the secret is ignored), and the value
//    without its trailing line breaks (a value read from a file often ends in one);
//  - base64 (RFC 4648 section 4), standard and URL alphabet (section 5): of the value and of
//    the value followed by "\n" (`echo "$SECRET" | base64`), with padding, without padding,
//    and wrapped in lines of 76 (`base64`) and 64 (`openssl base64`) columns, by "\n" and by
//    "\r\n"; and the characters that depend on the value alone when it is encoded inside
//    longer data at a byte offset of 0, 1 or 2 modulo 3 (the value inside longer data that
//    is wrapped is not found: where the line breaks fall depends on the data);
//  - percent-encoded: every byte outside RFC 3986's unreserved characters as %XX, with
//    upper-case and with lower-case hex, and both again with space as '+' (forms);
//  - for a value with line breaks (an SSH or TLS private key): the value with each "\n"
//    printed as "\r\n" (a terminal does so) and with "\r\n" as "\n", and each of its lines,
//    without surrounding blanks, of at least kMinSecretLineBytes, except PEM armor lines
//    ("-----BEGIN ...-----", "-----END ...-----"), which are the same in every key.
// Encoded forms shorter than kMinDerivedFormBytes are left out: a fragment that short says
// little about the value and would hide innocent text (base64 digests, identifiers).
//
// Where occurrences overlap or touch, of one form or of several, the bytes they cover become
// one kMaskText: the longest match wins, and no part of any form is printed.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace fmg::agent {

/// The text a masked secret becomes.
inline constexpr std::string_view kMaskText = "****";
/// Shortest value taken as a secret (shorter values are refused where secrets are set).
inline constexpr size_t kMinSecretBytes = 4;
/// Shortest encoded form (a base64 fragment, mostly) masked: 6 base64 characters are 36 bits
/// of the value, rare by chance in output, where 4 or 5 would often hide parts of digests.
inline constexpr size_t kMinDerivedFormBytes = 6;
/// Shortest line of a multi-line secret masked on its own, wherever it appears.
inline constexpr size_t kMinSecretLineBytes = 8;

/// The strings SecretMasker hides for these secret values (see the top of this file), each
/// once, sorted. Values shorter than kMinSecretBytes have none.
std::vector<std::string> secret_forms(const std::vector<std::string>& secrets);

/// Masks one output stream. Not thread-safe; give each stream its own copy (copies share the
/// forms and their search automaton, which never change, so copying is cheap).
class SecretMasker {
  public:
    /// `secrets`: the values to hide; values shorter than kMinSecretBytes are ignored,
    /// duplicates merged.
    explicit SecretMasker(const std::vector<std::string>& secrets);

    /// Masks `chunk`, the next bytes of one output stream, and returns what may be released
    /// now. Bytes that could be the start of a secret (or of one of its encoded forms)
    /// continuing in the next chunk are held back, never more than the longest form minus one
    /// byte; everything before them is returned.
    std::string feed(std::string_view chunk);

    /// Releases what is held back (the stream ended, e.g. the step finished), masked. The
    /// next feed() starts a new stream.
    std::string flush();

    /// Whether there is anything to mask at all (no secrets: feed returns its input unchanged
    /// and holds nothing).
    bool active() const;

    /// Bytes currently held back.
    size_t held() const { return held_.size(); }

    /// The forms masked (secret_forms() of the secrets), each once, sorted.
    const std::vector<std::string>& forms() const;

    /// Bytes of the longest form (0 when not active): held() stays below it.
    size_t longest_form() const;

    /// The search automaton (Aho-Corasick) over the forms; defined in the .cpp.
    class Automaton;

  private:
    /// Stream positions [begin, end) to be replaced by one kMaskText.
    struct Mask {
        uint64_t begin;
        uint64_t end;
    };

    void add_mask(uint64_t begin, uint64_t end);
    /// Appends the output for stream positions [released_, until) to `out`.
    void release(uint64_t until, std::string& out);

    std::shared_ptr<const Automaton> automaton_;
    uint32_t state_ = 0;     // automaton state after the last byte fed
    uint64_t position_ = 0;  // stream position after the last byte fed
    uint64_t released_ = 0;  // stream position up to which output was returned
    std::string held_;       // the bytes at [released_, position_)
    // Masks not yet wholly released, in order, disjoint and not touching. The first may have
    // begun before released_ (its kMaskText was returned) and may still grow.
    std::vector<Mask> masks_;
};

}  // namespace fmg::agent
