#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace assay::web {

/// Whether an `Authorization` header value carries `token`: `Bearer <token>`, or
/// `Basic base64(<any user>:<token>)` (the token as the password, as Confluent Cloud takes an API
/// secret), so Schema Registry clients that only know HTTP Basic work unmodified. The scheme
/// name is case-insensitive; the token is compared in constant time. An empty `token` matches
/// nothing (callers decide whether auth is on at all).
bool AuthorizationCarriesToken(std::string_view authorization, std::string_view token);

/// Standard base64 (RFC 4648, with or without padding); nullopt on any other character.
std::optional<std::string> DecodeBase64(std::string_view text);

/// Compares two strings in time that depends only on their lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace assay::web
