#include "web/auth.h"

#include <cctype>
#include <cstdint>

namespace assay::web {
namespace {

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// The credentials after `scheme ` when the header uses that scheme (any case), else nullopt.
std::optional<std::string_view> Credentials(std::string_view header, std::string_view scheme) {
  if (header.size() <= scheme.size() || header[scheme.size()] != ' ') return std::nullopt;
  for (size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i]) return std::nullopt;
  }
  std::string_view rest = header.substr(scheme.size());
  size_t start = rest.find_first_not_of(' ');
  if (start == std::string_view::npos) return std::nullopt;
  rest = rest.substr(start);
  size_t end = rest.find_last_not_of(" \t");
  return rest.substr(0, end + 1);
}

}  // namespace

std::optional<std::string> DecodeBase64(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int value = Base64Value(c);
    if (value < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  // One leftover character holds only 6 bits: not a valid encoding.
  if (bits >= 6) return std::nullopt;
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Every byte of `a` is visited whatever the contents; only the lengths leak.
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) {
    unsigned char other = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(a[i]) ^ other;
  }
  return diff == 0;
}

bool AuthorizationCarriesToken(std::string_view authorization, std::string_view token) {
  if (token.empty()) return false;
  if (auto bearer = Credentials(authorization, "bearer")) {
    return ConstantTimeEquals(*bearer, token);
  }
  if (auto basic = Credentials(authorization, "basic")) {
    std::optional<std::string> decoded = DecodeBase64(*basic);
    if (!decoded) return false;
    size_t colon = decoded->find(':');
    if (colon == std::string::npos) return false;
    return ConstantTimeEquals(std::string_view(*decoded).substr(colon + 1), token);
  }
  return false;
}

}  // namespace assay::web
