#pragma once

#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace assay {

/// std::allocator whose value-less construct() default-initialises: `resize(n)` on a vector of
/// trivial values leaves the new elements unwritten instead of zero-filling them. For buffers
/// that are resized and then overwritten at once (encoded values, definition levels), where the
/// zero fill was a pass over memory that bought nothing.
template <typename T>
class DefaultInitAllocator : public std::allocator<T> {
 public:
  using std::allocator<T>::allocator;

  template <typename U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

/// A vector whose resize() does not zero-fill trivial elements.
template <typename T>
using UninitVector = std::vector<T, DefaultInitAllocator<T>>;

}  // namespace assay
