#pragma once
// The one `Range: bytes=...` form fmg's downloads answer (RFC 9110 14.1.2): a single range,
// `START-END`, `START-` or `-SUFFIX`. A header fmg does not serve (several ranges, another
// unit) is ignored, as RFC 9110 allows, and the whole file is sent.

#include <cstdint>
#include <optional>
#include <string_view>

namespace fmg::coordinator::http {

struct ByteRange {
    uint64_t first = 0;  // first byte sent
    uint64_t last = 0;   // last byte sent (inclusive)
};

/// What a Range header asks of a file of `size` bytes.
struct RangeAsk {
    enum class Kind {
        whole,          // no Range, or one fmg ignores: 200 with every byte
        partial,        // 206 with `range`
        unsatisfiable,  // 416: the range starts past the end (or the file is empty)
    };
    Kind kind = Kind::whole;
    ByteRange range;
};

/// Reads the value of a Range header (`header` empty: none) for a file of `size` bytes.
RangeAsk read_range(std::string_view header, uint64_t size);

}  // namespace fmg::coordinator::http
