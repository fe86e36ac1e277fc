#include "tests/bench/printed_time.h"

#include <catch2/catch.hpp>

namespace fmg::bench {

WallTime parse_epoch_seconds(std::string text) {
    for (char& c : text) {
        if (c == ',') c = '.';
    }
    const auto dot = text.find('.');
    INFO("printed time: '" << text << "'");
    REQUIRE(dot != std::string::npos);
    REQUIRE(dot > 0);
    REQUIRE(text.find_first_not_of("0123456789.") == std::string::npos);
    std::string fraction = text.substr(dot + 1);
    REQUIRE(!fraction.empty());
    fraction.resize(9, '0');  // to nanoseconds
    return WallTime(std::chrono::duration_cast<WallTime::duration>(
        std::chrono::seconds(std::stoll(text.substr(0, dot))) +
        std::chrono::nanoseconds(std::stoll(fraction.substr(0, 9)))));
}

double millis_between(WallTime from, WallTime to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

}  // namespace fmg::bench
