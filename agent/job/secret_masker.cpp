#include "agent/job/secret_masker.h"

#include <algorithm>
#include <array>
#include <deque>
#include <set>
#include <utility>

#include "shared/crypto.h"
#include "shared/text.h"

namespace fmg::agent {
namespace {

using FormSet = std::set<std::string>;

// `base64` wraps its output at 76 columns, `openssl base64` (and PEM) at 64.
constexpr std::array<size_t, 2> kBase64LineWidths = {76, 64};
constexpr std::array<std::string_view, 2> kLineBreaks = {"\n", "\r\n"};

void add_form(FormSet& forms, std::string form, size_t min_bytes) {
    if (form.size() >= min_bytes) forms.insert(std::move(form));
}

std::string replace_all(std::string_view text, std::string_view from, std::string_view to) {
    std::string result;
    size_t start = 0;
    for (size_t found; (found = text.find(from, start)) != std::string_view::npos;) {
        result.append(text.substr(start, found - start)).append(to);
        start = found + from.size();
    }
    return result.append(text.substr(start));
}

// --- base64 -------------------------------------------------------------------------------

// RFC 4648 section 5: the same encoding with '-' and '_' for '+' and '/'.
std::string to_url_alphabet(std::string encoded) {
    std::replace(encoded.begin(), encoded.end(), '+', '-');
    std::replace(encoded.begin(), encoded.end(), '/', '_');
    return encoded;
}

std::string without_padding(std::string encoded) {
    encoded.erase(encoded.find_last_not_of('=') + 1);
    return encoded;
}

// `encoded` in lines of `width` characters (the last may be shorter), as encoders print it.
std::string wrapped(std::string_view encoded, size_t width, std::string_view line_break) {
    std::string result;
    for (size_t start = 0; start < encoded.size(); start += width) {
        if (start > 0) result.append(line_break);
        result.append(encoded.substr(start, width));
    }
    return result;
}

// The characters of the base64 of some data that depend on `value` alone, where the value
// starts `offset` (0, 1 or 2) bytes past a 3-byte group boundary of the data. Each character
// encodes 6 bits: a character whose bits straddle the value's first or last byte and a
// neighbour's depends on the neighbour, so it is cut off (2 at the start for offset 1, 3 for
// offset 2; 3 at the end, "c==" when the value ends 1 byte into a group, 2, "c=", after 2).
std::string stable_base64(std::string_view value, size_t offset) {
    static constexpr std::array<size_t, 3> kLeading = {0, 2, 3};
    static constexpr std::array<size_t, 3> kTrailing = {0, 3, 2};
    const std::string encoded = crypto::base64_encode(std::string(offset, '\0').append(value));
    const size_t leading = kLeading[offset];
    const size_t trailing = kTrailing[(offset + value.size()) % 3];
    if (encoded.size() <= leading + trailing) return {};
    return encoded.substr(leading, encoded.size() - leading - trailing);
}

// One encoding of the whole data in both alphabets, with and without padding, and wrapped.
void add_base64_of(FormSet& forms, std::string_view data) {
    const std::string standard = crypto::base64_encode(data);
    for (const std::string& encoded : {standard, to_url_alphabet(standard)}) {
        add_form(forms, encoded, kMinDerivedFormBytes);
        add_form(forms, without_padding(encoded), kMinDerivedFormBytes);
        for (size_t width : kBase64LineWidths) {
            if (encoded.size() <= width) continue;
            for (std::string_view line_break : kLineBreaks) {
                add_form(forms, wrapped(encoded, width, line_break), kMinDerivedFormBytes);
            }
        }
    }
}

void add_base64_forms(FormSet& forms, std::string_view value) {
    add_base64_of(forms, value);
    add_base64_of(forms, std::string(value) + "\n");  // `echo "$SECRET" | base64`
    for (size_t offset = 0; offset < 3; ++offset) {
        const std::string stable = stable_base64(value, offset);
        add_form(forms, stable, kMinDerivedFormBytes);
        add_form(forms, to_url_alphabet(stable), kMinDerivedFormBytes);
    }
}

// --- percent-encoding ---------------------------------------------------------------------

// RFC 3986 section 2.3 (ASCII only: no locale may widen it).
bool is_unreserved(unsigned char byte) {
    return (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
           (byte >= '0' && byte <= '9') || byte == '-' || byte == '.' || byte == '_' || byte == '~';
}

std::string percent_encoded(std::string_view value, bool lower_hex, bool space_as_plus) {
    const char* const hex = lower_hex ? "0123456789abcdef" : "0123456789ABCDEF";
    std::string result;
    for (const char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        if (is_unreserved(byte)) {
            result += c;
        } else if (byte == ' ' && space_as_plus) {
            result += '+';
        } else {
            result += '%';
            result += hex[byte >> 4];
            result += hex[byte & 0x0F];
        }
    }
    return result;
}

void add_percent_forms(FormSet& forms, std::string_view value) {
    for (const bool lower_hex : {false, true}) {
        for (const bool space_as_plus : {false, true}) {
            // Never shorter than the value, and the value itself is a form already.
            add_form(forms, percent_encoded(value, lower_hex, space_as_plus), kMinSecretBytes);
        }
    }
}

// --- line breaks --------------------------------------------------------------------------

std::string_view without_trailing_line_breaks(std::string_view value) {
    const size_t end = value.find_last_not_of("\r\n");
    return end == std::string_view::npos ? std::string_view{} : value.substr(0, end + 1);
}

// The value as printed through a terminal (each "\n" becomes "\r\n") or by a tool that
// normalises a CRLF value to LF.
void add_line_break_forms(FormSet& forms, std::string_view value) {
    if (value.find('\n') != std::string_view::npos) {
        add_form(forms, replace_all(value, "\n", "\r\n"), kMinSecretBytes);
    }
    if (value.find("\r\n") != std::string_view::npos) {
        add_form(forms, replace_all(value, "\r\n", "\n"), kMinSecretBytes);
    }
}

// PEM's "-----BEGIN RSA PRIVATE KEY-----" and its END line: the same in every key, so masking
// them would hide every certificate a step prints and protect nothing.
bool is_pem_armor(std::string_view line) {
    return (line.starts_with("-----BEGIN ") || line.starts_with("-----END ")) &&
           line.ends_with("-----");
}

// Each line of a multi-line value on its own: a step that prints the key through a tool that
// changes the line breaks or what is around them (indents, prefixes, line numbers, grep)
// must not leak it line by line.
void add_line_forms(FormSet& forms, std::string_view value) {
    if (value.find('\n') == std::string_view::npos) return;
    size_t start = 0;
    while (start <= value.size()) {
        size_t end = value.find('\n', start);
        if (end == std::string_view::npos) end = value.size();
        const std::string_view line = trim(value.substr(start, end - start));
        if (!is_pem_armor(line)) add_form(forms, std::string(line), kMinSecretLineBytes);
        start = end + 1;
    }
}

void add_secret_forms(FormSet& forms, std::string_view secret) {
    std::vector<std::string_view> values = {secret};
    const std::string_view bare = without_trailing_line_breaks(secret);
    if (bare.size() != secret.size() && bare.size() >= kMinSecretBytes) values.push_back(bare);
    for (const std::string_view value : values) {
        add_form(forms, std::string(value), kMinSecretBytes);
        add_base64_forms(forms, value);
        add_percent_forms(forms, value);
        add_line_break_forms(forms, value);
    }
    add_line_forms(forms, bare);
}

}  // namespace

std::vector<std::string> secret_forms(const std::vector<std::string>& secrets) {
    FormSet forms;
    for (const std::string& secret : secrets) {
        if (secret.size() >= kMinSecretBytes) add_secret_forms(forms, secret);
    }
    return {forms.begin(), forms.end()};
}

// --- the automaton ------------------------------------------------------------------------

// Aho-Corasick over the bytes of the forms: one pass over the output finds every occurrence of
// every form, whatever their number, and its state says how much of the output's end could
// still become one. The root's transitions are a table (most output bytes are read there);
// the other nodes' are short lists, which keeps long forms (keys) small.
class SecretMasker::Automaton {
  public:
    explicit Automaton(std::vector<std::string> forms);

    /// The state after reading `byte` in `state` (0 is the start).
    uint32_t next(uint32_t state, unsigned char byte) const {
        while (state != 0) {
            const Node& node = nodes_[state];
            const Edge* const end = edges_.data() + node.first_edge + node.edge_count;
            for (const Edge* edge = edges_.data() + node.first_edge; edge != end; ++edge) {
                if (edge->byte == byte) return edge->target;
            }
            state = node.fail;
        }
        return root_[byte];
    }
    /// Length of the longest form ending at the last byte read, or 0.
    uint32_t match(uint32_t state) const { return nodes_[state].match; }
    /// Length of the longest end of what was read that is a proper prefix of a form.
    uint32_t hold(uint32_t state) const { return nodes_[state].hold; }

    const std::vector<std::string>& forms() const { return forms_; }
    size_t longest() const { return longest_; }

  private:
    struct Node {
        uint32_t first_edge = 0;
        uint32_t edge_count = 0;
        uint32_t fail = 0;   // the longest proper suffix of this node's string in the trie
        uint32_t depth = 0;  // length of this node's string
        uint32_t match = 0;
        uint32_t hold = 0;
    };
    struct Edge {
        unsigned char byte;
        uint32_t target;
    };
    using Trie = std::vector<std::vector<Edge>>;

    Trie build_trie(std::vector<bool>& ends_form);
    void store_edges(const Trie& trie);
    void link(const Trie& trie, const std::vector<bool>& ends_form);

    std::vector<std::string> forms_;
    size_t longest_ = 0;
    std::vector<Node> nodes_;
    std::vector<Edge> edges_;
    std::array<uint32_t, 256> root_{};
};

SecretMasker::Automaton::Automaton(std::vector<std::string> forms) : forms_(std::move(forms)) {
    for (const std::string& form : forms_) longest_ = std::max(longest_, form.size());
    std::vector<bool> ends_form;
    const Trie trie = build_trie(ends_form);
    store_edges(trie);
    link(trie, ends_form);
}

SecretMasker::Automaton::Trie SecretMasker::Automaton::build_trie(std::vector<bool>& ends_form) {
    Trie trie(1);
    nodes_.resize(1);
    ends_form.assign(1, false);
    for (const std::string& form : forms_) {
        uint32_t node = 0;
        for (const char c : form) {
            const auto byte = static_cast<unsigned char>(c);
            auto& children = trie[node];
            auto found = std::find_if(children.begin(), children.end(),
                                      [byte](const Edge& edge) { return edge.byte == byte; });
            if (found != children.end()) {
                node = found->target;
                continue;
            }
            const auto child = static_cast<uint32_t>(trie.size());
            children.push_back({byte, child});
            trie.emplace_back();
            nodes_.push_back({.depth = nodes_[node].depth + 1});
            ends_form.push_back(false);
            node = child;
        }
        ends_form[node] = true;
    }
    return trie;
}

void SecretMasker::Automaton::store_edges(const Trie& trie) {
    for (const Edge& edge : trie[0]) root_[edge.byte] = edge.target;
    for (uint32_t node = 1; node < trie.size(); ++node) {
        nodes_[node].first_edge = static_cast<uint32_t>(edges_.size());
        nodes_[node].edge_count = static_cast<uint32_t>(trie[node].size());
        edges_.insert(edges_.end(), trie[node].begin(), trie[node].end());
    }
}

// Failure links breadth first, so each node's links are set from shallower nodes' ones.
void SecretMasker::Automaton::link(const Trie& trie, const std::vector<bool>& ends_form) {
    std::deque<uint32_t> queue;
    for (const Edge& edge : trie[0]) queue.push_back(edge.target);  // their fail is the root
    while (!queue.empty()) {
        const uint32_t node = queue.front();
        queue.pop_front();
        Node& current = nodes_[node];
        // A form ending here is longer than any ending at the fail node.
        current.match = ends_form[node] ? current.depth : nodes_[current.fail].match;
        current.hold = current.edge_count > 0 ? current.depth : nodes_[current.fail].hold;
        for (const Edge& edge : trie[node]) {
            nodes_[edge.target].fail = next(current.fail, edge.byte);
            queue.push_back(edge.target);
        }
    }
}

// --- the masker ---------------------------------------------------------------------------

SecretMasker::SecretMasker(const std::vector<std::string>& secrets)
    : automaton_(std::make_shared<const Automaton>(secret_forms(secrets))) {}

bool SecretMasker::active() const {
    return automaton_->longest() > 0;
}

const std::vector<std::string>& SecretMasker::forms() const {
    return automaton_->forms();
}

size_t SecretMasker::longest_form() const {
    return automaton_->longest();
}

std::string SecretMasker::feed(std::string_view chunk) {
    if (!active()) return std::string(chunk);
    const Automaton& automaton = *automaton_;
    uint32_t state = state_;
    uint64_t position = position_;
    for (const char c : chunk) {
        state = automaton.next(state, static_cast<unsigned char>(c));
        ++position;
        if (const uint32_t length = automaton.match(state); length != 0) {
            add_mask(position - length, position);
        }
    }
    state_ = state;
    position_ = position;
    held_.append(chunk);
    // No occurrence still to come can begin before the held suffix: its bytes before this
    // chunk's end would be an end of the output that is a proper prefix of a form.
    std::string out;
    out.reserve(held_.size());
    release(position_ - automaton.hold(state_), out);
    return out;
}

std::string SecretMasker::flush() {
    if (!active()) return {};
    std::string out;
    release(position_, out);
    state_ = 0;
    position_ = 0;
    released_ = 0;
    held_.clear();
    masks_.clear();
    return out;
}

// Occurrences are found in the order they end, so a new one can only join masks at the back.
void SecretMasker::add_mask(uint64_t begin, uint64_t end) {
    while (!masks_.empty() && masks_.back().end >= begin) {
        begin = std::min(begin, masks_.back().begin);
        masks_.pop_back();
    }
    masks_.push_back({begin, end});
}

void SecretMasker::release(uint64_t until, std::string& out) {
    const uint64_t held_begin = position_ - held_.size();
    const auto append_held = [&](uint64_t from, uint64_t to) {
        out.append(held_, from - held_begin, to - from);
    };
    size_t done = 0;  // masks wholly released
    while (released_ < until) {
        if (done == masks_.size()) {
            append_held(released_, until);
            released_ = until;
        } else if (const Mask& mask = masks_[done]; mask.end <= released_) {
            // Only now closed: an occurrence beginning right at its end would have joined it.
            ++done;
        } else if (mask.begin > released_) {
            const uint64_t stop = std::min(mask.begin, until);
            append_held(released_, stop);
            released_ = stop;
        } else {
            if (mask.begin == released_) out.append(kMaskText);  // else returned before
            released_ = std::min(mask.end, until);
        }
    }
    masks_.erase(masks_.begin(), masks_.begin() + static_cast<std::ptrdiff_t>(done));
    held_.erase(0, released_ - held_begin);
}

}  // namespace fmg::agent
