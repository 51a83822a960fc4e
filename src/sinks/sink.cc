#include "sinks/sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace assay::sinks {

Status SyncDirectory(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, dir.string());
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoStatus(err, "fsync " + dir.string());
  return Status::Ok();
}

Status MakeDirectories(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return ErrnoStatus(ec.value(), "cannot create directory " + dir.string());
  return Status::Ok();
}

}  // namespace assay::sinks
