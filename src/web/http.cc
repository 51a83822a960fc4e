#include "web/http.h"

#include <cctype>

#include "core/ascii.h"

namespace assay::web {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string_view HttpRequest::Header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

std::optional<std::string_view> HttpRequest::Query(std::string_view name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return std::string_view(it->second);
}

bool HttpRequest::QueryFlag(std::string_view name) const {
  std::optional<std::string_view> value = Query(name);
  return value && EqualsIgnoringCase(*value, "true");
}

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int high = HexValue(text[i + 1]);
      int low = HexValue(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

bool ParseTarget(std::string_view target, HttpRequest* request) {
  if (target.empty() || target[0] != '/') return false;
  size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  // A fragment is never sent by clients; drop one defensively rather than route on it.
  std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  if (size_t hash = query.find('#'); hash != std::string_view::npos) query = query.substr(0, hash);

  request->segments.clear();
  path.remove_prefix(1);
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::optional<std::string> segment = PercentDecode(path.substr(0, slash), false);
    if (!segment) return false;
    request->segments.push_back(std::move(*segment));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }

  request->query.clear();
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      std::optional<std::string> key = PercentDecode(pair.substr(0, eq), true);
      std::optional<std::string> value =
          eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1), true);
      if (!key || !value) return false;
      request->query.emplace(std::move(*key), std::move(*value));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return true;
}

}  // namespace assay::web
