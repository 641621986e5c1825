#!/usr/bin/env bash
# Lifeboat: set up the toolchain, build, test and run the extension.
#
#   ./build.sh                    install what is missing, then build dist/
#   ./build.sh test               build, then type check, native + wasm tests, web-ext lint, e2e tests
#   ./build.sh run chromium|firefox
#   ./build.sh bench              benchmarks -> bench/RESULTS.md
#   ./build.sh torture [chromium|firefox|all] [N]   N kills per browser -> bench/TORTURE.md
#   ./build.sh fuzz [N]           a long run of the seeded fuzz loops
#   ./build.sh probe              commit cost per store (issue 12) -> bench/PROBE.md
#   ./build.sh privacy-rules      print the content script's copy of the privacy rule table
#   ./build.sh cli                install the `lifeboat` command (cargo install)
#
# Only package registries are reachable on our machines (crates.io, npm, apt), so
# nothing here downloads a prebuilt binary: wasm-bindgen comes from `cargo install`,
# wasm-opt from npm's binaryen, and wasm-pack runs in --mode no-install.
# shellcheck disable=SC2015,SC2016,SC2154  # `a && b || die` is meant; JS in single quotes; rc is set in the trap
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$ROOT"
SELF="$ROOT/${BASH_SOURCE[0]##*/}"
LOCK="$ROOT/dist/.build.sh.lock"
with_lock() {  # with_lock cmd...: one build at a time in this tree (others build and test in it too)
  mkdir -p "$ROOT/dist"
  flock -n "$LOCK" true || echo "build.sh: waiting for another build.sh in $ROOT to finish..." >&2
  # -o: the lock stays with flock, so browsers outliving us cannot hold it. Nested runs
  # (an e2e harness calling ./build.sh) inherit LIFEBOAT_BUILD_LOCKED and do not deadlock.
  LIFEBOAT_BUILD_LOCKED=1 flock -o "$LOCK" "$@"
}
# `run` locks only its build step: a browser session must not block other people's builds.
# `privacy-rules` only reads a file (cargo test runs it).
if [[ -z ${LIFEBOAT_BUILD_LOCKED:-} && ${1:-} != run && ${1:-} != privacy-rules ]]; then with_lock bash "$SELF" "$@"; exit; fi
# cargo-installed tools first, so a stray older wasm-bindgen elsewhere on PATH loses.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

WASM_TARGET=wasm32-unknown-unknown
# A bench build (./build.sh bench) goes to its own pkg/ and dist/ with the cargo
# feature `bench`: the release build never carries its timing request.
FEATURES=${LIFEBOAT_FEATURES:-}
PKG=${LIFEBOAT_PKG:-pkg}
OUT=${LIFEBOAT_DIST:-dist}
# Two modules from the one crate (Cargo.toml [features]): the background's,
# loaded by the always-running background, and the pages', loaded by the
# manager only when the user imports or exports.
WASM=$PKG/lifeboat_bg.wasm
PAGES_WASM=$PKG/lifeboat_pages_bg.wasm
# The background's module budget after wasm-opt (issue 10: at most 300 KB).
WASM_BUDGET=307200
WASM_OPT=node_modules/.bin/wasm-opt   # npm binaryen 132; never Debian's 108 (breaks the externref table)
# The features rustc emits for wasm32: wasm-opt rejects a module using one it was not told about.
WASM_OPT_FEATURES=(--enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int
                   --enable-reference-types --enable-multivalue --enable-mutable-globals)
TARGETS=(chrome firefox)
# Fixed mtime for every packaged file (1980-01-02 UTC; zip's DOS dates start in 1980):
# an unchanged build must give a byte-identical .xpi, or Firefox sees an updated add-on.
PKG_EPOCH=315619200

STEP="start"
STEP_T0=""
TIMES=()
WORK=$(mktemp -d /tmp/lifeboat-build.XXXXXX)   # absolute: used after cd
BROWSER_PID=""

die() {  # die "what failed" ["what to do"]; exit code 3 = already reported
  printf '\nbuild.sh: FAILED in step "%s": %s\n' "$STEP" "$1" >&2
  [[ $# -lt 2 ]] || printf '  fix: %s\n' "$2" >&2
  print_times >&2
  exit 3
}
trap 'rc=$?; [[ $rc == 3 ]] && exit 3; die "command failed (exit $rc, line $LINENO): $BASH_COMMAND" "see its output above"' ERR
cleanup() {
  if [[ -n $BROWSER_PID ]] && kill -TERM -- "-$BROWSER_PID" 2>/dev/null; then
    # Let the browser's group go before its temp profile is removed under it.
    local tries=50
    while ((tries-- > 0)) && kill -0 -- "-$BROWSER_PID" 2>/dev/null; do sleep 0.1; done
    kill -KILL -- "-$BROWSER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

step() {  # step "name": closes the previous step's timer, starts the next
  end_step
  STEP=$1 STEP_T0=$SECONDS
  printf '\n==> %s\n' "$1"
}
end_step() {
  [[ -z $STEP_T0 ]] || TIMES+=("$(printf '%5ss  %s' $((SECONDS - STEP_T0)) "$STEP")")
  STEP_T0=""
}
print_times() { end_step; ((${#TIMES[@]})) || return 0; printf '\nTimings:\n'; printf '  %s\n' "${TIMES[@]}"; }

usage() {
  cat >&2 <<'EOF'
usage: ./build.sh              set up what is missing, build dist/chrome, dist/firefox,
                               dist/lifeboat-chrome.zip and dist/lifeboat-firefox.xpi
       ./build.sh test         build, then tsc type check, cargo test, wasm tests, web-ext lint, e2e tests
       ./build.sh run chromium|firefox
                               build, then open the browser with the extension
                               (headless scripted demo when there is no display);
                               LIFEBOAT_PROFILE=dir keeps the browser profile in dir
       ./build.sh bench        benchmarks (core natively, then in both browsers) -> bench/RESULTS.md
       ./build.sh torture [chromium|firefox|all] [N]
                               N random kills per browser (default 100) -> bench/TORTURE.md
       ./build.sh fuzz [N]     the seeded fuzz loops with N inputs per decoder (default 200000)
       ./build.sh probe        bytes one small commit costs per store, both browsers -> bench/PROBE.md
       ./build.sh privacy-rules
                               print extension/privacy-rules.js as the build writes it
       ./build.sh cli          install the lifeboat command into ~/.cargo/bin (cargo install)
EOF
}

tool_version() {  # tool_version <cmd>: second word of `<cmd> --version`, empty if not installed
  command -v "$1" >/dev/null || return 0
  "$1" --version 2>/dev/null | awk 'NR == 1 { print $2 }'
}
as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root for: $*" "run it as root, or install sudo"
  fi
}
size() { stat -c %s "$1"; }
human() { awk -v b="$1" 'BEGIN { printf "%d bytes (%.1f KiB)", b, b / 1024 }'; }

# ---------------------------------------------------------------- setup

setup_rust_target() {
  step "rust target $WASM_TARGET"
  command -v cargo >/dev/null && command -v rustup >/dev/null \
    || die "cargo/rustup not found" "install Rust stable with rustup, then rerun"
  if grep -qx "$WASM_TARGET" <<<"$(rustup target list --installed)"; then
    echo "already installed"
  else
    rustup target add "$WASM_TARGET" || die "rustup target add failed" "check the network to static.rust-lang.org, then rerun"
  fi
}

lock_bindgen_version() {  # the wasm-bindgen version Cargo.lock resolved (the CLI must match it exactly)
  if [[ ! -f Cargo.lock ]]; then
    cargo generate-lockfile >&2 || die "cannot create Cargo.lock" "fix Cargo.toml (cargo metadata shows the error)"
  fi
  awk -F'"' '$0 == "name = \"wasm-bindgen\"" { getline; print $2; exit }' Cargo.lock
}

setup_wasm_bindgen() {
  step "wasm-bindgen-cli"
  local want have runner
  want=$(lock_bindgen_version)
  [[ -n $want ]] || die "no wasm-bindgen package in Cargo.lock" "Cargo.toml must depend on wasm-bindgen (pinned =X) for wasm32"
  have=$(tool_version wasm-bindgen)
  runner=$(tool_version wasm-bindgen-test-runner)
  if [[ $have == "$want" && $runner == "$want" ]]; then
    echo "wasm-bindgen $have (matches Cargo.lock)"
    return
  fi
  echo "have '${have:-none}', Cargo.lock wants $want: installing (about 3 min)"
  # No --locked: the CLI's own lock file wants a webpki-roots the registry here lacks.
  cargo install wasm-bindgen-cli --version "$want" \
    || die "cargo install wasm-bindgen-cli $want failed" "read the cargo error above; retry once crates.io is reachable"
  have=$(tool_version wasm-bindgen)
  [[ $have == "$want" ]] || die "wasm-bindgen on PATH is '$have', not $want" \
    "remove the other wasm-bindgen found at $(command -v wasm-bindgen) or put ~/.cargo/bin first on PATH"
}

setup_wasm_pack() {
  step "wasm-pack"
  local v
  v=$(tool_version wasm-pack)
  if [[ -n $v ]]; then echo "wasm-pack $v"; return; fi
  echo "installing wasm-pack (about 4 min)"
  cargo install wasm-pack --locked || die "cargo install wasm-pack failed" "read the cargo error above and rerun"
}

setup_system_packages() {
  step "system packages (chromium chromium-l10n chromium-driver firefox-esr firefox-esr-l10n-de zip)"
  # command:package. chromedriver lets wasm-bindgen-test-runner run tests/wasm.rs in Chromium.
  local pair pkg missing=()
  for pair in chromium:chromium chromedriver:chromium-driver firefox-esr:firefox-esr zip:zip; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
  done
  # The browsers' German UI, for the e2e test screenshots-de (no command to look for).
  if command -v apt-get >/dev/null; then
    for pkg in chromium-l10n firefox-esr-l10n-de; do
      dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
  fi
  if ((${#missing[@]} == 0)); then echo "all present"; return; fi
  command -v apt-get >/dev/null || die "missing: ${missing[*]} and no apt-get" "install ${missing[*]} with your package manager"
  # A fresh container has no package lists yet.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
    && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" \
    || die "apt-get install ${missing[*]} failed" "read the apt error above; run apt-get update and retry"
}

node_modules_current() {  # same packages and versions as package-lock.json (npm ci would change nothing)
  node tests/build/node-modules-current.mjs
}

setup_node_modules() {
  step "node_modules (npm ci)"
  command -v node >/dev/null && command -v npm >/dev/null || die "node/npm not found" "install Node 20"
  [[ -f package-lock.json ]] || die "package-lock.json is missing" "run npm install once and commit package-lock.json"
  local hidden=node_modules/.package-lock.json   # npm ci writes it last
  # Reinstall only when really needed: npm ci wipes node_modules under anyone using it.
  if [[ -f $hidden ]] && { [[ ! package-lock.json -nt $hidden ]] || node_modules_current; }; then
    echo "up to date with package-lock.json"
  else
    npm ci --no-audit --no-fund || die "npm ci failed" "check that package.json and package-lock.json agree (npm install), then rerun"
  fi
  [[ -x $WASM_OPT ]] || die "$WASM_OPT is missing" "package.json must have binaryen as a devDependency"
}

setup() {
  setup_rust_target
  setup_wasm_bindgen
  setup_wasm_pack
  setup_system_packages
  setup_node_modules
}

# ---------------------------------------------------------------- build

build_wasm() {
  step "wasm-pack build"
  # wasm-pack writes pkg/*.d.ts too: tsc reads them instead of checking the generated .js (checkJs).
  local help flag flags=(--target web --release --out-dir "$PKG" --mode no-install)
  help=$(wasm-pack build --help)
  for flag in --target --release --out-dir --mode; do
    grep -q -- "$flag" <<<"$help" || die "wasm-pack $(tool_version wasm-pack) has no $flag" "cargo install wasm-pack --locked --force"
  done
  for flag in --no-pack --no-opt; do   # optional: newer wasm-pack only
    if grep -q -- "$flag" <<<"$help"; then flags+=("$flag"); fi
  done
  # wasm-opt is off (Cargo.toml, --no-opt); this failing stub first on PATH makes sure
  # wasm-pack can never fall back to Debian's /usr/bin/wasm-opt 108 anyway.
  mkdir -p "$WORK/stub"
  printf '#!/bin/sh\necho "build.sh: wasm-pack must not run wasm-opt" >&2\nexit 1\n' >"$WORK/stub/wasm-opt"
  chmod +x "$WORK/stub/wasm-opt"
  # --mode no-install: use the wasm-bindgen on PATH, never try a download (fails here).
  # The background's module: no importers, exporters or idna (Cargo.toml [features]).
  PATH="$WORK/stub:$PATH" wasm-pack build "${flags[@]}" --out-name lifeboat \
    -- --no-default-features --features "background${FEATURES:+,$FEATURES}" \
    || die "wasm-pack build failed" "fix the Rust errors above (cargo build --target $WASM_TARGET --release --no-default-features --features background); if it wanted a download, compare wasm-bindgen --version with Cargo.lock"
  [[ -f $WASM && -f $PKG/lifeboat.js ]] || die "wasm-pack produced no $WASM / $PKG/lifeboat.js" "is the crate named lifeboat with crate-type cdylib?"
  # The pages' module, built apart (wasm-pack owns its out-dir), then beside it.
  local pages_flags=("${flags[@]/#$PKG/$WORK/pages-pkg}")
  PATH="$WORK/stub:$PATH" wasm-pack build "${pages_flags[@]}" --out-name lifeboat_pages \
    -- --no-default-features --features pages \
    || die "wasm-pack build of the pages' module failed" "fix the Rust errors above (cargo build --target $WASM_TARGET --release --no-default-features --features pages)"
  cp "$WORK/pages-pkg/lifeboat_pages.js" "$WORK/pages-pkg/lifeboat_pages.d.ts" "$WORK/pages-pkg/lifeboat_pages_bg.wasm" "$PKG/" \
    || die "wasm-pack produced no lifeboat_pages.js / .d.ts / _bg.wasm" "see the wasm-pack output above"
}

optimize_wasm() {
  step "wasm-opt -Oz"
  WASM_BEFORE=$(size "$WASM") PAGES_BEFORE=$(size "$PAGES_WASM")
  local w
  for w in "$WASM" "$PAGES_WASM"; do
    "$WASM_OPT" -Oz "${WASM_OPT_FEATURES[@]}" "$w" -o "$w.opt" \
      || die "wasm-opt failed on $w" "if it names a feature, add its --enable-* flag to WASM_OPT_FEATURES in build.sh"
    mv -f "$w.opt" "$w"
  done
  WASM_AFTER=$(size "$WASM") PAGES_AFTER=$(size "$PAGES_WASM")
  # Load each optimised module once: a bad wasm-opt validates fine yet fails at instantiation.
  node tests/build/wasm-instantiates.mjs "$ROOT/$PKG" \
    || die "an optimised module in $PKG does not instantiate in node" "compare with an unoptimised build (skip this step); check wasm-opt's version is binaryen 132 from npm"
  # A warning, not a failure, until the module fits (issue 10: serde_json and the
  # JSON answers are what remains; see the issue).
  ((WASM_AFTER <= WASM_BUDGET)) || printf 'build.sh: WARNING: the background'"'"'s module is %s, over its budget of %s (twiggy top on an unoptimised build shows what is in it)\n' \
    "$(human "$WASM_AFTER")" "$(human "$WASM_BUDGET")" >&2
}

derive_manifest() {  # derive_manifest <target>: the manifest.json for that target, on stdout
  node tests/build/derive-manifest.mjs "$1"
}

check_extension_dir() {  # every file the manifest names exists, every __MSG_x__ has a message
  node tests/build/check-extension-dir.mjs "$1"
}

privacy_rules_js() {  # the content script's copy of the privacy rule table, on stdout
  # JSON is a JavaScript expression: the table goes in as it is, no converter to
  # keep in step. tests/privacy_rules.rs evaluates this output against the core's table.
  [[ -f src/privacy/rules.json ]] || die "src/privacy/rules.json is missing" "restore it from git"
  printf '// Generated by build.sh from src/privacy/rules.json (the core reads the same file): edit that, not this.\n'
  printf 'globalThis.lifeboatPrivacyRules = Object.freeze(%s);\n' "$(<src/privacy/rules.json)"
}

assemble() {  # assemble <target>: dist/<target>, a complete unpacked extension
  local t=$1 stage="$OUT/.$1.tmp"
  step "assemble $OUT/$t"
  rm -rf "$stage"
  mkdir -p "$stage/extension" "$stage/pkg" "$stage/www"
  derive_manifest "$t" >"$stage/manifest.json" || die "cannot derive the $t manifest" "fix manifest.json (x-lifeboat-targets)"
  compgen -G 'extension/*.js' >/dev/null || die "no extension/*.js" "the background script belongs in extension/"
  cp extension/*.js "$stage/extension/"
  privacy_rules_js >"$stage/extension/privacy-rules.js"
  if [[ -d extension/icons ]]; then cp -RL extension/icons "$stage/extension/"; fi
  # www/ ships as is, except _locales, which browsers read only at the extension root.
  find www -mindepth 1 -maxdepth 1 ! -name _locales -exec cp -RL {} "$stage/www/" \;
  if [[ -d www/_locales ]]; then cp -RL www/_locales "$stage/_locales"; fi
  cp "$PKG/lifeboat.js" "$WASM" "$PKG/lifeboat_pages.js" "$PAGES_WASM" "$stage/pkg/"
  # Editor and OS litter must not end up in the package.
  find "$stage" -name '.*' ! -path "$stage" -prune -exec rm -rf {} +
  find "$stage" -name '*~' -delete
  check_extension_dir "$stage" || die "$OUT/$t is incomplete (see above)" "add the missing files or fix manifest.json"
  # Same modes and mtimes on every build: zip stores both.
  find "$stage" -type d -exec chmod 755 {} + -o -type f -exec chmod 644 {} +
  find "$stage" -exec touch -h -d "@$PKG_EPOCH" {} +
  rm -rf "${OUT:?}/$t"
  mv "$stage" "$OUT/$t"
}

make_zip() {  # make_zip <dir> <archive>: deterministic zip of dir's contents, rewritten only if changed
  local dir=$1 out=$2 tmp="$WORK/${2##*/}"
  step "pack $out"
  rm -f "$tmp"
  # Sorted names, no extra attributes (-X), UTC DOS times: same inputs -> same bytes.
  (cd "$dir" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort | TZ=UTC zip -X -q -9 "$tmp" -@) \
    || die "zip of $dir failed" "is zip installed? (apt-get install zip)"
  if cmp -s "$tmp" "$out"; then echo "unchanged: $out"; else chmod 644 "$tmp"; mv -f "$tmp" "$out"; echo "wrote $out"; fi
}

build() {
  setup
  build_wasm
  optimize_wasm
  mkdir -p "$OUT"
  local t
  for t in "${TARGETS[@]}"; do assemble "$t"; done
  make_zip "$OUT/chrome" "$OUT/lifeboat-chrome.zip"
  make_zip "$OUT/firefox" "$OUT/lifeboat-firefox.xpi"
  end_step
  printf '\nSizes:\n'
  printf '  background wasm before wasm-opt  %s\n' "$(human "$WASM_BEFORE")"
  printf '  background wasm after wasm-opt   %s  (budget %s)\n' "$(human "$WASM_AFTER")" "$(human "$WASM_BUDGET")"
  printf '  pages wasm before wasm-opt       %s\n' "$(human "$PAGES_BEFORE")"
  printf '  pages wasm after wasm-opt        %s\n' "$(human "$PAGES_AFTER")"
  printf '  lifeboat-firefox.xpi  %s\n' "$(human "$(size "$OUT/lifeboat-firefox.xpi")")"
  printf '  lifeboat-chrome.zip   %s\n' "$(human "$(size "$OUT/lifeboat-chrome.zip")")"
}

# ---------------------------------------------------------------- test

test_types() {
  step "type check (tsc --noEmit -p ., tests/build/typecheck.mjs)"
  # After the build: background.js imports the generated pkg/lifeboat.js.
  node tests/build/typecheck.mjs \
    || die "the JavaScript does not type-check (see the errors above)" "fix the JSDoc types or the code; rerun: node tests/build/typecheck.mjs"
}

test_native() {
  step "cargo test (native)"
  cargo test || die "native Rust tests failed or did not compile" "fix the error or failing test above; rerun one with: cargo test <name>"
  # What bench builds add (the cargo feature `bench`): its own tests, named so.
  cargo test --lib --features bench bench_builds \
    || die "the bench build's tests failed or did not compile" "rerun: cargo test --lib --features bench bench_builds"
}

test_wasm() {
  step "wasm tests (wasm-bindgen-test-runner)"
  # Only the integration tests written for wasm: the lib's unit tests are native-only
  # (proptest does not build for wasm32) and already ran under cargo test.
  local f args=()
  for f in tests/*.rs; do
    if grep -q 'wasm_bindgen_test' "$f"; then args+=(--test "$(basename "$f" .rs)"); fi
  done
  ((${#args[@]})) || die "no tests/*.rs uses #[wasm_bindgen_test]" "the WASM binding tests belong in tests/wasm.rs"
  # The runner comes with wasm-bindgen-cli (same version as Cargo.lock): nothing to download.
  # run_in_browser tests go through chromedriver (named, so a geckodriver on PATH cannot win);
  # the runner itself passes --headless --no-sandbox.
  CHROMEDRIVER=$(command -v chromedriver) \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    cargo test --target "$WASM_TARGET" "${args[@]}" \
    || die "WASM binding tests failed or did not compile" "fix the error or failing #[wasm_bindgen_test] above; rerun: CHROMEDRIVER=/usr/bin/chromedriver CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test --target $WASM_TARGET ${args[*]}"
}

test_lint() {
  step "web-ext lint dist/firefox"
  local out="$WORK/lint.json"
  # JSON, printed one line per finding: the default table truncates messages in logs.
  node_modules/.bin/web-ext lint --source-dir dist/firefox --no-config-discovery --output json >"$out" || true
  node tests/build/lint-report.mjs "$out" \
    || die "web-ext lint found errors in dist/firefox (or did not run)" "fix manifest.json or the files named above; warnings alone do not fail"
}

test_e2e() {
  step "end-to-end tests (tests/e2e/run.mjs all)"
  [[ -f tests/e2e/run.mjs ]] || die "tests/e2e/run.mjs is missing" "the e2e suite is not written yet; ask its owner"
  # tests/e2e/session-files.test.mjs runs the lifeboat command on the killed browsers' files.
  cargo build --quiet --bin lifeboat || die "cannot build the lifeboat command" "cargo build --bin lifeboat shows the error"
  node tests/e2e/run.mjs all || die "end-to-end tests failed" "see the failing case above; rerun one with: node tests/e2e/run.mjs chromium|firefox --only <test name>"
}

run_tests() {
  build
  test_types
  test_native
  test_wasm
  test_lint
  test_e2e
  print_times
  printf '\nAll tests passed.\n'
}

# ---------------------------------------------------------------- run

write_firefox_user_js() {  # unsigned add-on from the profile, no first-run noise
  cat >"$1/user.js" <<'EOF'
user_pref("xpinstall.signatures.required", false);
user_pref("extensions.autoDisableScopes", 0);
user_pref("extensions.enabledScopes", 15);
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("app.update.enabled", false);
user_pref("privacy.userContext.enabled", true);
EOF
}

run_browser() {  # run_browser chromium|firefox
  local browser=$1 profile keep=${LIFEBOAT_PROFILE:-} cmd
  if [[ -n ${LIFEBOAT_BUILD_LOCKED:-} ]]; then build; print_times
  else with_lock bash "$SELF" || die "the build failed" "see its output above"
  fi
  if [[ -z ${DISPLAY:-}${WAYLAND_DISPLAY:-} ]]; then
    step "headless demo (tests/e2e/demo.mjs $browser)"
    [[ -f tests/e2e/demo.mjs ]] || die "no display, and tests/e2e/demo.mjs is missing" "set DISPLAY, or ask the e2e owner for demo.mjs"
    node tests/e2e/demo.mjs "$browser" || die "the headless demo failed" "see its output above"
    return
  fi
  step "run $browser"
  if [[ -n $keep ]]; then profile=$keep; mkdir -p "$profile"; else profile="$WORK/profile"; mkdir -p "$profile"; fi
  if [[ $browser == chromium ]]; then
    cmd=(/usr/lib/chromium/chromium)   # the real binary: the /usr/bin wrapper adds flags and noise
    [[ -x ${cmd[0]} ]] || cmd=(chromium)
    # Recent Chromium ignores --load-extension unless this feature is disabled.
    cmd+=(--user-data-dir="$profile" --no-first-run --no-default-browser-check
          --disable-features=DisableLoadExtensionCommandLineSwitch --load-extension="$ROOT/dist/chrome")
    [[ $(id -u) -ne 0 ]] || cmd+=(--no-sandbox)   # Chromium refuses to start as root otherwise
  else
    local id
    id=$(node -p 'JSON.parse(require("fs").readFileSync("dist/firefox/manifest.json", "utf8")).browser_specific_settings.gecko.id')
    mkdir -p "$profile/extensions"
    # Copy only when changed: Firefox treats a touched .xpi as an update.
    cmp -s dist/lifeboat-firefox.xpi "$profile/extensions/$id.xpi" || cp dist/lifeboat-firefox.xpi "$profile/extensions/$id.xpi"
    write_firefox_user_js "$profile"
    cmd=(firefox-esr --no-remote --profile "$profile")
  fi
  echo "profile: $profile${keep:+ (kept)}"
  # Own process group, so closing or Ctrl-C here ends the whole browser and nothing else.
  setsid "${cmd[@]}" &
  BROWSER_PID=$!
  trap 'exit 130' INT TERM   # the EXIT trap kills the group and removes a temp profile
  wait "$BROWSER_PID" || true   # the EXIT trap then ends what is left of its group
}

# ---------------------------------------------------------------- bench, torture, fuzz

run_bench() {  # numbers, not pass/fail: written to bench/RESULTS.md
  LIFEBOAT_FEATURES=bench LIFEBOAT_PKG=pkg-bench LIFEBOAT_DIST=dist/bench bash "$SELF"
  step "core benchmark (cargo run --release --bin bench)"
  mkdir -p bench/tmp
  cargo run --release --quiet --bin bench >bench/tmp/core.md || die "the core benchmark failed" "see the error above"
  step "browser benchmarks (tests/bench/run.mjs)"
  LIFEBOAT_DIST=dist/bench node tests/bench/run.mjs || die "the browser benchmarks failed" "see tests/bench/ and the output above"
  print_times
}

run_torture() {  # run_torture [chromium|firefox|all] [N]: kills at random moments, results in bench/TORTURE.md
  build
  step "torture ${1:-all} x ${2:-100}"
  node tests/e2e/torture.mjs "${1:-all}" "${2:-100}" || die "the torture run found lost state or failed" "see bench/TORTURE.md and tests/e2e/artifacts/torture-*"
  print_times
}

run_fuzz() {  # a long run of the seeded fuzz loops (cargo test runs a short one)
  setup
  step "fuzz ${1:-200000} inputs per decoder"
  LIFEBOAT_FUZZ_CASES=${1:-200000} cargo test --profile fuzz --test fuzz -- --nocapture \
    || die "a decoder panicked or misbehaved under fuzzing" "the failing input's seed and case are above"
  LIFEBOAT_FUZZ_CASES=${1:-200000} cargo test --profile fuzz --test formats fuzz_ -- --nocapture \
    || die "an importer failed under fuzzing" "see the proptest report above"
  print_times
}

run_probe() {  # a fixture extension (tests/bench/probe/), no build of Lifeboat needed
  setup_node_modules
  step "commit-cost probe (tests/bench/probe.mjs)"
  node tests/bench/probe.mjs || die "the probe failed" "see its output above and bench/PROBE.md"
  print_times
}

run_cli() {  # the native `lifeboat` command (src/bin/lifeboat.rs), into cargo's bin folder
  step "cargo install --path . --bin lifeboat"
  cargo install --locked --path . --bin lifeboat \
    || die "cargo install of the lifeboat command failed" "read the cargo error above; cargo build --bin lifeboat shows it too"
  print_times
}

# ---------------------------------------------------------------- main

case "${1:-}:${2:-}:${3:-}" in
  ::)                           build; print_times ;;
  test::)                       run_tests ;;
  run:chromium:|run:firefox:)   run_browser "$2" ;;
  bench::)                      run_bench ;;
  torture:*)                    run_torture "${2:-all}" "${3:-100}" ;;
  fuzz:*)                       run_fuzz "${2:-}" ;;
  probe::)                      run_probe ;;
  privacy-rules::)              privacy_rules_js ;;
  cli::)                        run_cli ;;
  help::|-h::|--help::)         usage ;;
  *)                            usage; exit 2 ;;
esac
