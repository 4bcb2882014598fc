# shellcheck shell=bash
# Sourced by the benchmark scripts: build_binaries builds insights-sync and insights-sim in
# $build when they are out of date (make decides), configuring it first when it is new; two
# jobs, as the machine has two cores. Needs $root, $build, $work (its build.log) and die().
build_binaries() {
  if [ ! -f "$build/CMakeCache.txt" ]; then
    echo "configuring $build"
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DINSIGHTS_BUILD_TESTS=OFF \
      >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; die "cmake configure failed"; }
  fi
  cmake --build "$build" -j 2 --target insights-sync insights-sim >>"$work/build.log" 2>&1 ||
    { tail -n 30 "$work/build.log" >&2; die "the build failed in $build"; }
}
