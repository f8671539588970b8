#!/usr/bin/env bash
# Runs every test of the repository from a fresh clone (the README's test command; CI runs it).
# Installs what is missing: Debian packages for the real PostgreSQL, Redis, Prometheus and
# Alertmanager tools the tests start, then `npm ci` in each package. Type-checks once with
# `tsc --noEmit`, then runs the CDK suite (test/) and the service suite (app/test/).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

log() { printf '\n==> %s\n' "$*"; }

# --- system packages -------------------------------------------------------------------------
missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v promtool >/dev/null || missing+=(prometheus)
command -v amtool >/dev/null || missing+=(prometheus-alertmanager)
if ((${#missing[@]})); then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    log "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "missing system packages: ${missing[*]} - install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# --- npm packages (skipped when node_modules is already newer than the lock file) --------------
install_package() {
  local dir=$1
  if [[ ! -f $dir/node_modules/.package-lock.json || $dir/package-lock.json -nt $dir/node_modules/.package-lock.json ]]; then
    log "npm ci in ${dir#$ROOT/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
install_package "$ROOT"
[[ -f $ROOT/app/package.json ]] && install_package "$ROOT/app"

# --- type-check once ---------------------------------------------------------------------------
log "tsc --noEmit (CDK app)"
npx tsc --noEmit
if [[ -f $ROOT/app/tsconfig.json ]]; then
  log "tsc --noEmit (service)"
  (cd app && npx tsc --noEmit)
fi

# --- test suites -------------------------------------------------------------------------------
out=$ROOT/.test-output
rm -rf "$out" && mkdir -p "$out"
status=0
log "jest: CDK app and signal catalog (test/)"
npx jest --ci --json --outputFile="$out/cdk.json" || status=1
if [[ -f $ROOT/app/package.json ]]; then
  log "jest: the service (app/test/)"
  (cd app && npm test --silent -- --ci --json --outputFile="$out/app.json") || status=1
fi

# One closing line over both suites.
node -e '
  const fs = require("fs");
  let passed = 0, failed = 0, skipped = 0;
  for (const f of fs.readdirSync(process.argv[1])) {
    const r = JSON.parse(fs.readFileSync(process.argv[1] + "/" + f, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests + r.numRuntimeErrorTestSuites;
    skipped += r.numPendingTests + r.numTodoTests;
  }
  console.log(`\n${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
  if (passed === 0) { console.error("no test ran"); process.exit(1); }
' "$out" || status=1
exit $status
