#include "coordinator/http/body_budget.h"

#include <utility>

namespace fmg::coordinator::http {

BodyBudget::Reservation::Reservation(Reservation&& other) noexcept
    : budget_(std::exchange(other.budget_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}

BodyBudget::Reservation& BodyBudget::Reservation::operator=(Reservation&& other) noexcept {
    if (this != &other) {
        release();
        budget_ = std::exchange(other.budget_, nullptr);
        bytes_ = std::exchange(other.bytes_, 0);
    }
    return *this;
}

BodyBudget::Reservation::~Reservation() {
    release();
}

bool BodyBudget::Reservation::grow(size_t bytes) {
    if (budget_ == nullptr || !budget_->take(bytes)) return false;
    bytes_ += bytes;
    return true;
}

void BodyBudget::Reservation::release() {
    if (budget_ != nullptr) budget_->give_back(bytes_);
    bytes_ = 0;
}

std::optional<BodyBudget::Reservation> BodyBudget::reserve(size_t bytes) {
    if (!take(bytes)) return std::nullopt;
    return Reservation(this, bytes);
}

size_t BodyBudget::in_use() const {
    std::lock_guard lock(mutex_);
    return in_use_;
}

bool BodyBudget::take(size_t bytes) {
    std::lock_guard lock(mutex_);
    if (bytes > capacity_ - in_use_) return false;
    in_use_ += bytes;
    return true;
}

void BodyBudget::give_back(size_t bytes) {
    std::lock_guard lock(mutex_);
    in_use_ -= bytes;
}

}  // namespace fmg::coordinator::http
