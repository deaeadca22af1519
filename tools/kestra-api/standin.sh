# Sourced by the editor suites (editors/*/test.sh): builds and starts the Kestra API stand-in of
# the Rust tests (tests/support/kestra_api), a stand-in for a Kestra server on 127.0.0.1.
#   start_standin REPO LINE    (LINE: 1.3 or 2.0) sets standin_url and standin_pid;
#   the caller kills standin_pid when done. Returns 1 with a message when it cannot start.
start_standin() {
  local repo=$1 line=$2 log
  (cd "$repo" && cargo build --quiet -p kflow --example kestra_api_standin) \
    || { echo "cargo build of the Kestra API stand-in failed" >&2; return 1; }
  log=$(mktemp)
  "${CARGO_TARGET_DIR:-$repo/target}/debug/examples/kestra_api_standin" "$line" >"$log" &
  standin_pid=$!
  for _ in $(seq 100); do [ -s "$log" ] && break; sleep 0.1; done
  standin_url=$(head -n 1 "$log")
  rm -f "$log"
  [ -n "$standin_url" ] || { echo "the Kestra API stand-in did not start" >&2; return 1; }
}
