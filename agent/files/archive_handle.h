#pragma once
// What the tar readers and writers share: freeing libarchive's handles and its error text.

#include <archive.h>
#include <archive_entry.h>

#include <string>

namespace fmg::agent {

/// libarchive's reason for the last failure on `handle`.
inline std::string archive_reason(struct archive* handle) {
    const char* text = archive_error_string(handle);
    return text != nullptr ? text : "unknown libarchive error";
}

/// For std::unique_ptr: archive_free closes and frees a reader or a writer alike.
struct ArchiveFree {
    void operator()(struct archive* handle) const { archive_free(handle); }
};

struct EntryFree {
    void operator()(struct archive_entry* entry) const { archive_entry_free(entry); }
};

}  // namespace fmg::agent
