#pragma once

#include <cstddef>
#include <string_view>

#include "core/arena.h"

namespace assay {

/// Length of the well-formed UTF-8 sequence at s[i] (1-4), or 0 if it is not well formed
/// (overlong forms, surrogates and code points past U+10FFFF are not).
size_t Utf8SequenceLength(std::string_view s, size_t i);

/// Whether all of `s` is well-formed UTF-8.
bool IsValidUtf8(std::string_view s);

/// `s` itself when it is valid UTF-8; otherwise a copy in `arena` with every ill-formed byte
/// replaced by U+FFFD, so text columns stay readable by strict readers (DuckDB, Arrow).
std::string_view ToValidUtf8(std::string_view s, StringArena& arena);

}  // namespace assay
