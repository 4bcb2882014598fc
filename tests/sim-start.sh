# shellcheck shell=bash
# Sourced by scripts that run insights-sim in the background (deploy/quickstart.sh, bench/).
#
# sim_start BINARY DIR [SIM ARGUMENTS...]
#   Starts insights-sim over HTTPS on a free loopback port (port 0, written to DIR/sim-port once
#   it listens), its generated CA in DIR/sim-ca.pem and its output in DIR/insights-sim.log.
#   Sets SIM_PID, and SIM_PORT once it listens. Returns 1 with a message (and the sim's log)
#   when the sim exits at start or writes no port within 30 s.
sim_start() {
  local binary=$1 dir=$2
  shift 2
  rm -f "$dir/sim-port"
  "$binary" --port 0 --port-file "$dir/sim-port" --ca-file "$dir/sim-ca.pem" "$@" \
    >"$dir/insights-sim.log" 2>&1 &
  SIM_PID=$!
  local tries=0
  # `read` fails until the line is complete (newline included).
  # shellcheck disable=SC2034  # SIM_PORT is for the caller
  until read -r SIM_PORT 2>/dev/null <"$dir/sim-port"; do
    if ! kill -0 "$SIM_PID" 2>/dev/null; then
      cat "$dir/insights-sim.log" >&2
      echo "insights-sim exited at start" >&2
      return 1
    fi
    if (( ++tries > 150 )); then
      echo "insights-sim wrote no port file within 30 s" >&2
      return 1
    fi
    sleep 0.2
  done
}
