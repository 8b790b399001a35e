# lib_fuzz.sh: what the fuzz scripts share -- sourced, not run.
# fuzz_build BUILD_DIR JOBS: configures and builds every libFuzzer target with
# clang (ASan + UBSan, -DVMEMSIM_FUZZ=ON) in BUILD_DIR.
# fuzz_seed_dir ROOT NAME: the seed corpus of target NAME, if it has one
# (fuzz_trace_lackey -> fuzz/corpus/lackey, fuzz_engine -> fuzz/corpus/engine).
fuzz_build() {
  CC=clang cmake -S "$root" -B "$1" -DVMEMSIM_FUZZ=ON -DVMEMSIM_SANITIZE=ON \
      -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$1" -j"$2"
}
fuzz_seed_dir() {
  local seeds=${2#fuzz_}
  seeds=${seeds#trace_}
  [ -d "$1/fuzz/corpus/$seeds" ] && echo "$1/fuzz/corpus/$seeds"
  return 0
}
# The libFuzzer flags every run uses: a 10 s per-input timeout, a 2 GiB RSS cap.
FUZZ_FLAGS=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1)
