#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace assay::sources {

/// True when `pattern` has a glob metacharacter (`*`, `?`, `[`).
bool HasGlobMeta(std::string_view pattern);

/// Expands a glob pattern to the regular files it matches, sorted bytewise, without duplicates.
///
/// Each `/`-separated segment is matched with fnmatch(3) (`*`, `?`, `[a-z]`, `\` escapes); `*`
/// and `?` do not match a leading `.` (hidden files), as in the shell. A segment that is exactly
/// `**` matches zero or more directories (`logs/**/*.ndjson`). Paths keep the pattern's prefix
/// (`./samples/a.csv` for `./samples/*.csv`); symbolic links are followed.
///
/// A pattern without metacharacters names one path, returned as is when it exists and is not a
/// directory (so `/dev/stdin` or a FIFO works).
///
/// Errors: kNotFound naming the pattern when nothing matches; kPermissionDenied (or the errno
/// code) naming the directory that could not be listed.
Result<std::vector<std::string>> ExpandGlob(std::string_view pattern);

}  // namespace assay::sources
