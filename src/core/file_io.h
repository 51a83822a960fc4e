#pragma once

#include <string_view>

#include "core/status.h"

namespace assay {

/// Writes all of `data` to `fd`, retrying short writes and EINTR. Errors name `what`.
Status WriteAll(int fd, std::string_view data, std::string_view what);

/// fsync(fd), then close(fd) whatever happened; the first error wins. Errors name `what`.
Status SyncAndClose(int fd, std::string_view what);

}  // namespace assay
