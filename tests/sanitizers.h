#pragma once

// What the build is instrumented with, for tests whose bounds a sanitizer changes.

namespace assay::testing {

/// Whether this build runs under AddressSanitizer, whose quarantine keeps freed memory (up to
/// 256 MiB) in the RSS: memory bounds are checked in the other builds only.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
#else
inline constexpr bool kAddressSanitizer = false;
#endif

}  // namespace assay::testing
