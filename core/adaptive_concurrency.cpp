#include "core/adaptive_concurrency.hpp"

#include <algorithm>

namespace insights {

AdaptiveConcurrency::AdaptiveConcurrency(int minimum, int maximum)
    : minimum_(std::max(1, minimum)), maximum_(std::max(minimum_, maximum)), limit_(maximum_) {}

void AdaptiveConcurrency::on_pushback() {
  limit_ = std::max(minimum_, limit_ / 2);
  successes_ = 0;
}

void AdaptiveConcurrency::on_success() {
  if (limit_ >= maximum_)
    return;
  if (++successes_ >= limit_) {
    ++limit_;
    successes_ = 0;
  }
}

}  // namespace insights
