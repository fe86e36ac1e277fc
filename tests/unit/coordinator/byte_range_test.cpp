#include "coordinator/http/byte_range.h"

#include <catch2/catch.hpp>

using namespace fmg::coordinator::http;
using Kind = RangeAsk::Kind;

namespace {

bool partial(const RangeAsk& ask, uint64_t first, uint64_t last) {
    return ask.kind == Kind::partial && ask.range.first == first && ask.range.last == last;
}

}  // namespace

TEST_CASE("a single byte range is served in each of its three forms", "[http]") {
    CHECK(partial(read_range("bytes=0-99", 1000), 0, 99));
    CHECK(partial(read_range("bytes=500-", 1000), 500, 999));
    CHECK(partial(read_range("bytes=-100", 1000), 900, 999));
    CHECK(partial(read_range("bytes=900-5000", 1000), 900, 999));  // clipped to the end
    CHECK(partial(read_range("bytes=-5000", 1000), 0, 999));
    CHECK(partial(read_range(" bytes= 7 - 7 ", 1000), 7, 7));
}

TEST_CASE("a range past the end is unsatisfiable, an odd header is ignored", "[http]") {
    CHECK(read_range("bytes=1000-", 1000).kind == Kind::unsatisfiable);
    CHECK(read_range("bytes=-0", 1000).kind == Kind::unsatisfiable);
    CHECK(read_range("bytes=0-", 0).kind == Kind::unsatisfiable);
    for (const char* ignored : {"", "bytes=0-1,5-6", "items=0-1", "bytes=5-2", "bytes=x-",
                                "bytes=-", "bytes=99999999999999999999-", "bytes"}) {
        INFO(ignored);
        CHECK(read_range(ignored, 1000).kind == Kind::whole);
    }
}
