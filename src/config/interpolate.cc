#include "config/interpolate.h"

#include <cstdlib>
#include <utility>

namespace assay::config {
namespace {

bool IsNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

// Returns the index of the `}` that closes the `${` whose body starts at `begin`, honouring
// nested `${...}` in defaults and `$$` escapes; npos when there is none.
size_t FindClosingBrace(std::string_view text, size_t begin) {
  int depth = 0;
  for (size_t i = begin; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size()) {
      if (text[i + 1] == '$') {
        ++i;
        continue;
      }
      if (text[i + 1] == '{') {
        ++depth;
        ++i;
        continue;
      }
    }
    if (text[i] == '}') {
      if (depth == 0) return i;
      --depth;
    }
  }
  return std::string_view::npos;
}

}  // namespace

Environment ProcessEnvironment() {
  return [](std::string_view name) -> std::optional<std::string> {
    // getenv needs a NUL-terminated name.
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Environment MapEnvironment(std::map<std::string, std::string, std::less<>> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

Result<std::string> Interpolate(std::string_view text, const Environment& env) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c != '$' || i + 1 >= text.size()) {
      out += c;
      ++i;
      continue;
    }
    char next = text[i + 1];
    if (next == '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next != '{') {
      out += c;  // a lone `$` is literal: regexes and SQL use it
      ++i;
      continue;
    }
    size_t body = i + 2;
    size_t close = FindClosingBrace(text, body);
    if (close == std::string_view::npos) {
      return InvalidArgument("unterminated '${' in '" + std::string(text) + "'");
    }
    std::string_view inner = text.substr(body, close - body);
    size_t name_end = 0;
    while (name_end < inner.size() && IsNameChar(inner[name_end])) ++name_end;
    std::string_view name = inner.substr(0, name_end);
    std::string_view rest = inner.substr(name_end);
    if (name.empty() || !IsNameStart(name[0]) || (!rest.empty() && !rest.starts_with(":-"))) {
      return InvalidArgument("invalid variable reference '${" + std::string(inner) +
                             "}' (expected ${NAME} or ${NAME:-default})");
    }
    std::optional<std::string> value = env ? env(name) : std::nullopt;
    if (value.has_value() && !(value->empty() && !rest.empty())) {
      out += *value;
    } else if (!rest.empty()) {
      ASSIGN_OR_RETURN(std::string fallback, Interpolate(rest.substr(2), env));
      out += fallback;
    } else {
      return InvalidArgument("environment variable '" + std::string(name) +
                             "' is not set (write ${" + std::string(name) +
                             ":-default} to give a default)");
    }
    i = close + 1;
  }
  return out;
}

}  // namespace assay::config
