#!/usr/bin/env bash
# Runs one example: its server in the background, then its client, each under a
# timeout, with a private Mach broker (its own socket in a temporary directory, so
# nothing is shared with other programs). Shows both programs' output as it happens.
#
#   run_pair.sh SERVER_PROGRAM CLIENT_PROGRAM
#
# SERVER_PROGRAM may be "-" (no server: shows how a client fails without one).
# Environment:
#   SERVER_ARGS, CLIENT_ARGS  extra arguments (split on spaces)
#   SERVER_IDLE               the server exits after this many quiet seconds (default 3)
#   CLIENT_STATUS             the client's expected exit status (default 0)
#   EXPECT_FILE               a file of extended regular expressions, one per line; each
#                             must match some line of the output (# starts a comment)
#   REJECT_FILE               as EXPECT_FILE, but no line may match any of them
# Exit status 0 when the client and server exited as expected and the output matched.
set -u
server=$1 client=$2
want_client=${CLIENT_STATUS:-0}

work=$(mktemp -d "${TMPDIR:-/tmp}/machgen-example.XXXXXX") || exit 1
export MACHGEN_BROKER_SOCKET="$work/broker.sock" MACHGEN_BROKER_IDLE=1
log="$work/output.log"
: >"$log"

# Both programs write into one pipe, so their lines appear in the order they happened.
run_both() {
  local server_pid=
  if [ "$server" != - ]; then
    # The server exits by itself after a few quiet seconds; timeout stops a stuck one.
    # shellcheck disable=SC2086
    timeout -k 2 60 "$server" --idle "${SERVER_IDLE:-3}" ${SERVER_ARGS:-} 2>&1 &
    server_pid=$!
  fi
  # shellcheck disable=SC2086
  timeout -k 2 60 "$client" ${CLIENT_ARGS:-} 2>&1
  echo $? >"$work/client.status"
  if [ -n "$server_pid" ]; then
    wait "$server_pid"
    echo $? >"$work/server.status"
  fi
}
run_both | tee "$log"

fail=0
client_status=$(cat "$work/client.status")
if [ "$client_status" -ne "$want_client" ]; then
  echo "run_pair: client exited with status $client_status, expected $want_client" >&2
  fail=1
fi
if [ "$server" != - ]; then
  server_status=$(cat "$work/server.status")
  if [ "$server_status" -ne 0 ]; then
    echo "run_pair: server exited with status $server_status, expected 0" >&2
    fail=1
  fi
fi

check() { # check FILE want(1=must match, 0=must not match)
  local re
  while IFS= read -r re; do
    case "$re" in '' | '#'*) continue ;; esac
    if grep -Eq -- "$re" "$log"; then
      [ "$2" = 1 ] || { echo "run_pair: output has a line matching: $re" >&2; fail=1; }
    else
      [ "$2" = 0 ] || { echo "run_pair: no output line matches: $re" >&2; fail=1; }
    fi
  done <"$1"
}
[ -n "${EXPECT_FILE:-}" ] && check "$EXPECT_FILE" 1
[ -n "${REJECT_FILE:-}" ] && check "$REJECT_FILE" 0

# The private broker exits a second after its last client; then its directory can go.
for _ in $(seq 50); do
  [ -e "$work/broker.sock" ] || break
  sleep 0.1
done
rm -rf "$work"
exit "$fail"
