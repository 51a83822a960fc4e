#include "core/file_io.h"

#include <unistd.h>

#include <cerrno>

namespace assay {

Status WriteAll(int fd, std::string_view data, std::string_view what) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, what);
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status SyncAndClose(int fd, std::string_view what) {
  int rc = ::fsync(fd);
  int err = errno;
  if (::close(fd) != 0 && rc == 0) {
    rc = -1;
    err = errno;
  }
  if (rc != 0) return ErrnoStatus(err, what);
  return Status::Ok();
}

}  // namespace assay
