#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace assay::config {

/// Looks up an environment variable by name; nullopt when it is not set. An abstraction rather
/// than getenv so that tests (and callers embedding Assay) never touch the process environment.
using Environment = std::function<std::optional<std::string>(std::string_view name)>;

/// The process environment (getenv). Safe to copy; reads the environment at lookup time.
Environment ProcessEnvironment();

/// An environment holding exactly `vars`; the map is copied into the returned function.
Environment MapEnvironment(std::map<std::string, std::string, std::less<>> vars);

/// Expands `${VAR}` and `${VAR:-default}` in `text`; `$$` is a literal `$`.
///
/// - `${VAR:-default}` uses `default` when VAR is unset or empty (as POSIX sh does); the default
///   may itself contain `${...}` references.
/// - A `$` not followed by `{` or `$` is kept as is, so regular expressions (`'^TX-[0-9]+$'`) and
///   SQL need no escaping.
/// - VAR is `[A-Za-z_][A-Za-z0-9_]*`.
///
/// Errors (kInvalidArgument, message without a location; the caller adds file:line):
/// an unset variable without a default, an unterminated `${`, an invalid variable name.
Result<std::string> Interpolate(std::string_view text, const Environment& env);

}  // namespace assay::config
