#include "coordinator/http/body_budget.h"

#include <catch2/catch.hpp>
#include <vector>

using fmg::coordinator::http::BodyBudget;

TEST_CASE("body budget: reservations are granted while they fit and refused beyond") {
    BodyBudget budget(100);
    auto first = budget.reserve(60);
    REQUIRE(first);
    CHECK(budget.in_use() == 60);
    CHECK_FALSE(budget.reserve(41));  // 60 + 41 > 100: refused, nothing taken
    CHECK(budget.in_use() == 60);
    auto second = budget.reserve(40);  // exactly the rest
    REQUIRE(second);
    CHECK(budget.in_use() == 100);
    CHECK_FALSE(budget.reserve(1));
    CHECK(budget.reserve(0));  // an empty body costs nothing
    CHECK_FALSE(budget.reserve(101));
}

TEST_CASE("body budget: a reservation is given back when it ends or is released") {
    BodyBudget budget(100);
    {
        auto held = budget.reserve(100);
        REQUIRE(held);
        CHECK_FALSE(budget.reserve(1));
    }
    CHECK(budget.in_use() == 0);
    auto held = budget.reserve(70);
    REQUIRE(held);
    held->release();
    CHECK(budget.in_use() == 0);
    CHECK(held->bytes() == 0);
    held.reset();  // releasing twice gives nothing back twice
    CHECK(budget.in_use() == 0);
    CHECK(budget.reserve(100));
}

TEST_CASE("body budget: a growing reservation stops at the budget and keeps what it had") {
    BodyBudget budget(100);
    auto other = budget.reserve(30);
    auto growing = budget.reserve(0);
    REQUIRE(growing);
    CHECK(growing->grow(50));
    CHECK(growing->bytes() == 50);
    CHECK_FALSE(growing->grow(21));
    CHECK(growing->bytes() == 50);
    CHECK(budget.in_use() == 80);
    CHECK(growing->grow(20));
    CHECK(budget.in_use() == 100);
    other.reset();
    CHECK(budget.in_use() == 70);
    growing.reset();
    CHECK(budget.in_use() == 0);
}

TEST_CASE("body budget: a moved reservation is given back once") {
    BodyBudget budget(100);
    std::vector<BodyBudget::Reservation> held;
    held.push_back(*budget.reserve(40));
    held.push_back(*budget.reserve(40));
    CHECK(budget.in_use() == 80);
    BodyBudget::Reservation moved = std::move(held[0]);
    held.clear();
    CHECK(budget.in_use() == 40);
    moved = *budget.reserve(10);  // the 40 it held go back, the new 10 stay
    CHECK(budget.in_use() == 10);
}
