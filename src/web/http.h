#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace assay::web {

/// An HTTP request as Assay's handlers see it, independent of the server library, so handlers
/// are tested without sockets.
struct HttpRequest {
  std::string method;  ///< "GET", "POST", ...
  /// The path split on '/', each segment percent-decoded on its own: a subject `a/b` sent as
  /// `a%2Fb` stays one segment. A trailing '/' adds no empty segment.
  std::vector<std::string> segments;
  /// Query parameters, decoded (`+` is a space); unknown ones are for handlers to ignore.
  std::multimap<std::string, std::string, std::less<>> query;
  /// Header names in lower case.
  std::map<std::string, std::string, std::less<>> headers;
  std::string body;

  /// The header's value, or "" when absent (`name` in lower case).
  std::string_view Header(std::string_view name) const;
  /// The first value of a query parameter, if present.
  std::optional<std::string_view> Query(std::string_view name) const;
  /// A boolean query parameter as JAX-RS reads it: "true" in any case is true, anything else
  /// (or absence) false.
  bool QueryFlag(std::string_view name) const;
};

/// What a handler answers. The server adds Content-Length and connection headers.
struct HttpResponse {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra headers
};

/// Decodes %XX escapes (and '+' as a space when `plus_is_space`); nullopt when a '%' is not
/// followed by two hex digits.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

/// Fills `request->segments` and `request->query` from a raw request target
/// (`/registry/subjects/a%2Fb/versions?deleted=true`). False when the target is not an
/// origin-form path or holds a malformed escape.
bool ParseTarget(std::string_view target, HttpRequest* request);

}  // namespace assay::web
