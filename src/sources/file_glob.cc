#include "sources/file_glob.h"

#include <dirent.h>
#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

#include "core/status.h"

namespace assay::sources {
namespace {

std::vector<std::string> SplitSegments(std::string_view pattern) {
  std::vector<std::string> segments;
  size_t start = 0;
  while (start <= pattern.size()) {
    size_t slash = pattern.find('/', start);
    if (slash == std::string_view::npos) slash = pattern.size();
    if (slash > start) segments.emplace_back(pattern.substr(start, slash - start));
    start = slash + 1;
  }
  return segments;
}

std::string Join(const std::string& dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string out = dir;
  if (out.back() != '/') out += '/';
  out += name;
  return out;
}

enum class Kind { kMissing, kFile, kDirectory, kOther };

Kind StatKind(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Kind::kMissing;  // dangling links count as missing
  if (S_ISDIR(st.st_mode)) return Kind::kDirectory;
  if (S_ISREG(st.st_mode)) return Kind::kFile;
  return Kind::kOther;
}

/// Walks the segments depth-first. `dir` is the path so far ("" = current directory).
class Walker {
 public:
  Walker(std::string pattern, std::vector<std::string> segments)
      : pattern_(std::move(pattern)), segments_(std::move(segments)) {}

  Status Walk(const std::string& dir, size_t index) {
    if (index == segments_.size()) {
      if (StatKind(dir.empty() ? "." : dir) == Kind::kFile) matches_.push_back(dir);
      return Status::Ok();
    }
    const std::string& segment = segments_[index];
    if (segment == "**") {
      RETURN_IF_ERROR(Walk(dir, index + 1));  // zero directories
      std::vector<std::string> names;
      RETURN_IF_ERROR(List(dir, &names));
      for (const std::string& name : names) {
        if (name[0] == '.') continue;  // like `*`, `**` skips hidden directories
        std::string child = Join(dir, name);
        if (StatKind(child) == Kind::kDirectory) RETURN_IF_ERROR(Walk(child, index));
      }
      return Status::Ok();
    }
    if (!HasGlobMeta(segment)) {
      std::string child = Join(dir, segment);
      Kind kind = StatKind(child);
      if (kind == Kind::kMissing) return Status::Ok();
      if (index + 1 < segments_.size() && kind != Kind::kDirectory) return Status::Ok();
      return Walk(child, index + 1);
    }
    std::vector<std::string> names;
    RETURN_IF_ERROR(List(dir, &names));
    for (const std::string& name : names) {
      if (::fnmatch(segment.c_str(), name.c_str(), FNM_PERIOD) != 0) continue;
      std::string child = Join(dir, name);
      if (index + 1 < segments_.size() && StatKind(child) != Kind::kDirectory) continue;
      RETURN_IF_ERROR(Walk(child, index + 1));
    }
    return Status::Ok();
  }

  std::vector<std::string>& matches() { return matches_; }

 private:
  Status List(const std::string& dir, std::vector<std::string>* names) {
    const std::string path = dir.empty() ? "." : dir;
    DIR* handle = ::opendir(path.c_str());
    if (handle == nullptr) {
      return ErrnoStatus(errno,
                         "cannot list directory " + path + " while expanding '" + pattern_ + "'");
    }
    errno = 0;
    while (dirent* entry = ::readdir(handle)) {
      std::string_view name = entry->d_name;
      if (name == "." || name == "..") continue;
      names->emplace_back(name);
    }
    int err = errno;
    ::closedir(handle);
    if (err != 0) return ErrnoStatus(err, "cannot read directory " + path);
    std::sort(names->begin(), names->end());
    return Status::Ok();
  }

  std::string pattern_;
  std::vector<std::string> segments_;
  std::vector<std::string> matches_;
};

}  // namespace

bool HasGlobMeta(std::string_view pattern) {
  return pattern.find_first_of("*?[") != std::string_view::npos;
}

Result<std::vector<std::string>> ExpandGlob(std::string_view pattern) {
  if (pattern.empty()) return InvalidArgument("empty file pattern");
  const std::string text(pattern);
  if (!HasGlobMeta(pattern)) {
    switch (StatKind(text)) {
      case Kind::kMissing: return NotFound("no file matches '" + text + "'");
      case Kind::kDirectory: return InvalidArgument("'" + text + "' is a directory, not a file");
      case Kind::kFile:
      case Kind::kOther: return std::vector<std::string>{text};
    }
  }
  Walker walker(text, SplitSegments(pattern));
  RETURN_IF_ERROR(walker.Walk(pattern[0] == '/' ? "/" : "", 0));
  std::vector<std::string>& matches = walker.matches();
  if (matches.empty()) return NotFound("no file matches '" + text + "'");
  std::sort(matches.begin(), matches.end());
  matches.erase(std::unique(matches.begin(), matches.end()), matches.end());
  return std::move(matches);
}

}  // namespace assay::sources
