#!/usr/bin/env bash
# End to end, from outside: builds ponte, starts `ponte sga-sim` on a free port, checks a few
# of its routes with curl and jq, then points a database at it and syncs: a clean full sync,
# an incremental one, a sync through a faulty simulator that must end the same, and a sync
# killed with SIGKILL that the next run resumes. Not part of .ci/run; it takes about a minute.
#   .ci/e2e-sim.sh [MEMBERS]
set -euo pipefail
cd "$(dirname "$0")/.."
members=${1:-2000}
for tool in curl jq; do
  command -v "$tool" >/dev/null || { echo "e2e-sim: $tool is needed (.ci/run installs it)" >&2; exit 1; }
done
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT
fail() { echo "e2e-sim: FAIL: $*" >&2; exit 1; }
ok() { echo "ok   $*"; }

go build -o "$tmp/ponte" .
ponte() { "$tmp/ponte" "$@"; }

# sim NAME FLAGS...: starts a simulator on a free port, its first line in $tmp/NAME.json.
sim() {
  local name=$1
  shift
  ponte sga-sim --listen 127.0.0.1:0 --members "$members" "$@" >"$tmp/$name.json" 2>/dev/null &
  pids+=($!)
  for _ in $(seq 1 300); do [ -s "$tmp/$name.json" ] && return; sleep 0.1; done
  fail "the simulator $name printed nothing in 30 s"
}
field() { jq -r ".$2" <"$tmp/$1.json"; } # field SIM NAME

# configure DB SIM: the integration of DB's one association, the secrets from the environment.
configure() {
  PONTE_SGA_PASSWORD=$(field "$2" senha) PONTE_SGA_API_KEY=$(field "$2" chave_api) \
    PONTE_SGA_SYNC_TOKEN=$(field "$2" sync_token) \
    ponte --db "$tmp/$1.db" config set --sga-url "$(field "$2" url)" --user "$(field "$2" usuario)" \
    --product-code "$(field "$2" codigo_produto)" >/dev/null 2>"$tmp/$1.config.err" ||
    fail "config set for $1: $(cat "$tmp/$1.config.err")"
}

# --- the simulator seen from outside ---
sim clean --page-size 100
url=$(field clean url)
sync_token=$(field clean sync_token)
status=$(curl -s -o "$tmp/login.json" -w '%{http_code}' -X POST "$url/usuario/autenticar" \
  -H "Authorization: Bearer $(field clean chave_api)" -H 'Content-Type: application/json' \
  -d "$(jq -nc --arg u "$(field clean usuario)" --arg s "$(field clean senha)" '{usuario: $u, senha: $s}')")
[ "$status" = 200 ] || fail "login answered $status"
user_token=$(jq -r '.token_usuario // empty' "$tmp/login.json")
[ -n "$user_token" ] || fail "login returned no token_usuario"
ok "usuario/autenticar returns a user token"

situations=$(curl -s "$url/listar/situacao/todos" -H "Authorization: Bearer $user_token" | jq 'length')
[ "$situations" -gt 0 ] || fail "listar/situacao/todos is empty"
ok "listar/situacao/todos lists $situations situações"

pages=$(curl -s "$url/sincronismo-produto-fornecedor-paginado/listar/pagina/quantidade-paginas" \
  -H "Authorization: Bearer $sync_token" | jq .quantidade_paginas)
[ "$pages" -gt 1 ] || fail "the supplier-sync listing has $pages pages; more than one was expected"
records=$(curl -s "$url/sincronismo-produto-fornecedor-paginado/listar/pagina/1" \
  -H "Authorization: Bearer $sync_token" | jq 'length')
[ "$records" -gt 0 ] || fail "supplier-sync page 1 is empty"
ok "supplier-sync listing: $pages pages, $records records on the first"

status=$(curl -s -o /dev/null -w '%{http_code}' "$url/sincronismo-produto-fornecedor-paginado/listar/pagina/1" \
  -H "Authorization: Bearer not-the-token")
[ "$status" = 401 ] || fail "a wrong sync token answered $status, not 401"
ok "a wrong sync token is refused with 401"

requests=$(curl -s "${url%/api/sga/v2}/_sim/stats" | jq .requests)
[ "$requests" -ge 4 ] || fail "the simulator counted $requests requests"
ok "/_sim/stats counts the requests ($requests)"

# --- a clean sync ---
configure clean clean
ponte --db "$tmp/clean.db" config test --json >"$tmp/test.json" || fail "config test failed: $(cat "$tmp/test.json")"
ok "config test: $(jq '[.routes[] | select(.status == "ok")] | length' "$tmp/test.json") routes ok"
ponte --db "$tmp/clean.db" sync --json -q >"$tmp/clean-run.json" || fail "the clean sync exited $?"
[ "$(jq -r .status "$tmp/clean-run.json")" = succeeded ] || fail "the clean sync did not succeed"
vehicles=$(jq .counts.vehicles_created "$tmp/clean-run.json")
[ "$vehicles" -gt 0 ] || fail "the clean sync wrote no vehicle"
exported=$(ponte --db "$tmp/clean.db" export vehicles | wc -l)
[ "$exported" -eq "$vehicles" ] || fail "export vehicles wrote $exported lines for $vehicles vehicles synced"
ok "full sync: $vehicles vehicles, the same in export vehicles"
ponte --db "$tmp/clean.db" sync --mode incremental --json -q >"$tmp/inc.json" || fail "the incremental sync exited $?"
[ "$(jq -r '.kind + " " + .status' "$tmp/inc.json")" = "incremental succeeded" ] ||
  fail "the incremental sync ended $(jq -c '{kind, status, note}' "$tmp/inc.json")"
ok "incremental sync: $(jq .counts.requests "$tmp/inc.json") requests"

# sorted VEHICLES of DB: what two databases are compared by.
snapshot() { ponte --db "$tmp/$1.db" export vehicles | jq -c '{sga_code, plate, situation, gone}' | sort; }
snapshot clean >"$tmp/clean.vehicles"

# --- the same data through a faulty simulator ---
sim faulty --page-size 100 --fail-5xx 0.05 --fail-429 0.02 --fail-malformed 0.02
configure faulty faulty
code=0
ponte --db "$tmp/faulty.db" sync --rate 0 --json -q >"$tmp/faulty-run.json" || code=$?
for _ in 1 2 3; do # a partial run (exit 3) leaves pages for the next to read first
  [ "$code" = 3 ] || break
  code=0
  ponte --db "$tmp/faulty.db" sync --rate 0 --json -q >"$tmp/faulty-run.json" || code=$?
done
[ "$code" = 0 ] || fail "the sync through faults exited $code"
snapshot faulty | cmp -s - "$tmp/clean.vehicles" || fail "the sync through faults stored other vehicles than the clean one"
ok "sync through 5xx, 429 and malformed replies: the same vehicles"

# --- killed with SIGKILL, then resumed ---
sim slow --page-size 50 --latency 100ms
configure killed slow
"$tmp/ponte" --db "$tmp/killed.db" sync --workers 1 --rate 0 -q >/dev/null 2>&1 &
victim=$!
pids+=("$victim")
sleep 1.5
kill -9 "$victim" 2>/dev/null || true
wait "$victim" 2>/dev/null || true
ponte --db "$tmp/killed.db" sync --rate 0 --json -q >"$tmp/resumed.json" || fail "the sync after the kill exited $?"
if [ "$(jq -r '.resumes // empty' "$tmp/resumed.json")" != "" ]; then
  ok "the sync after SIGKILL resumed run $(jq .resumes "$tmp/resumed.json")"
else
  echo "note the killed sync had finished before the kill; nothing to resume" >&2
fi
[ "$(ponte --db "$tmp/killed.db" runs --json | jq -r '[.[] | select(.status == "running")] | length')" = 0 ] ||
  fail "a run is still recorded as running after the kill"
snapshot killed | cmp -s - "$tmp/clean.vehicles" || fail "the resumed sync stored other vehicles than the clean one"
ok "killed and resumed: no run left running, the same vehicles"
echo "e2e-sim: all checks passed"
