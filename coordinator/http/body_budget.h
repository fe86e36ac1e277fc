#pragma once
// A process-wide budget of memory for request bodies that are not yet authenticated
// (webhook bodies before their HMAC is checked). Each request reserves what it is about to
// buffer before reading it; when the budget cannot cover it, the request is refused without
// being read, so any number of unauthenticated clients together hold at most the budget.

#include <cstddef>
#include <mutex>
#include <optional>

namespace fmg::coordinator::http {

class BodyBudget {
  public:
    /// What one request holds of the budget; given back when it is destroyed (or on
    /// release()). Move-only; must not outlive its budget.
    class Reservation {
      public:
        Reservation(Reservation&& other) noexcept;
        Reservation& operator=(Reservation&& other) noexcept;
        Reservation(const Reservation&) = delete;
        Reservation& operator=(const Reservation&) = delete;
        ~Reservation();

        /// Adds `bytes` to this reservation (a body of unknown length growing piece by piece);
        /// false, with the reservation unchanged, when the budget cannot cover them.
        bool grow(size_t bytes);
        /// Gives everything back now (the body was authenticated, or refused).
        void release();
        /// Bytes held.
        size_t bytes() const { return bytes_; }

      private:
        friend class BodyBudget;
        Reservation(BodyBudget* budget, size_t bytes) : budget_(budget), bytes_(bytes) {}
        BodyBudget* budget_;
        size_t bytes_;
    };

    /// A budget of `capacity` bytes.
    explicit BodyBudget(size_t capacity) : capacity_(capacity) {}
    BodyBudget(const BodyBudget&) = delete;
    BodyBudget& operator=(const BodyBudget&) = delete;

    /// Reserves `bytes`; nullopt when fewer than that are left.
    std::optional<Reservation> reserve(size_t bytes);
    /// Bytes reserved now, by all requests.
    size_t in_use() const;
    size_t capacity() const { return capacity_; }

  private:
    bool take(size_t bytes);
    void give_back(size_t bytes);

    const size_t capacity_;
    mutable std::mutex mutex_;
    size_t in_use_ = 0;
};

}  // namespace fmg::coordinator::http
