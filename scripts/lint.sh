#!/usr/bin/env bash
# CONVENTIONS §2: clang-format must have nothing to change and clang-tidy nothing to say.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
mapfile -t files < <(git ls-files 'src/*.h' 'src/*.cc' 'tests/*.h' 'tests/*.cc' 'bench/*.cc')
echo "lint: clang-format on ${#files[@]} files"
clang-format --dry-run -Werror "${files[@]}"
mapfile -t units < <(git ls-files 'src/*.cc' | grep -v '_fuzz\.cc$')
echo "lint: clang-tidy on ${#units[@]} files"
# The compile commands are GCC's; clang has no -Wno-restrict (CMakeLists.txt) and would stop.
log=$(mktemp)
status=0
printf '%s\n' "${units[@]}" | xargs -P "$(nproc)" -n 4 clang-tidy -p "$build_dir" --quiet \
  --extra-arg=-Wno-unknown-warning-option \
  >"$log" 2>&1 || status=$?
grep -v "warnings generated" "$log" || true
rm -f "$log"
if [ "$status" != 0 ]; then
  echo "lint: clang-tidy found problems (see above)"
  exit 1
fi
echo "lint: clean"
