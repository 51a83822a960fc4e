#pragma once

#include <string>
#include <string_view>

namespace assay {

/// Appends `s` to `out` as a JSON string literal (quoted, escaped; invalid UTF-8 is replaced).
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace assay
