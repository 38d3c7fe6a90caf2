#!/usr/bin/env bash
# Builds the README's "Use it as a library" project exactly as written there (its pom.xml block and its Java
# program block) as a separate Maven project outside the reactor, against the artifacts `./mvnw install` put in the
# local repository, and runs it from the repository root:
#   1. with the four JVM flags the README gives: it must print its test accuracy;
#   2. without Apache Arrow's two flags: it must fail with a message naming them.
# Also checks that the README's program is the file examples/ compiles. Usage: tools/consumer-check.sh [work-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
source tools/java-home.sh
WORK="${1:-$(mktemp -d)}"
case "$WORK" in /*) ;; *) WORK="$ROOT/$WORK" ;; esac
PROJECT="$WORK/vit-digits"
rm -rf "$PROJECT"
mkdir -p "$PROJECT/src/main/java/org/wegeft/examples"
# the n-th fenced block of a language inside the README section "## Use it as a library"
block() { # lang
  awk -v lang="$1" '
    /^## / { in_section = ($0 == "## Use it as a library") }
    in_section && $0 == "```" lang { grab = 1; next }
    grab && $0 == "```" { exit }
    grab { print }' README.md
}
block xml > "$PROJECT/pom.xml"
block java > "$PROJECT/src/main/java/org/wegeft/examples/FineTuneVit.java"
[ -s "$PROJECT/pom.xml" ] && [ -s "$PROJECT/src/main/java/org/wegeft/examples/FineTuneVit.java" ] \
  || { echo "consumer-check: README has no xml or java block under '## Use it as a library'" >&2; exit 1; }
if ! diff -u examples/src/main/java/org/wegeft/examples/FineTuneVit.java \
    "$PROJECT/src/main/java/org/wegeft/examples/FineTuneVit.java"; then
  echo "consumer-check: the README's program differs from examples/src/main/java/org/wegeft/examples/FineTuneVit.java" >&2
  exit 1
fi
echo "consumer-check: building $PROJECT"
./mvnw -B -ntp -q -f "$PROJECT/pom.xml" package dependency:build-classpath -Dmdep.outputFile=cp.txt
CP="$PROJECT/target/classes:$(cat "$PROJECT/cp.txt")"
KERNEL_FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED)
ARROW_FLAGS=(--add-opens=java.base/java.nio=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)

echo "consumer-check: running with the README's four flags"
out="$(java "${KERNEL_FLAGS[@]}" "${ARROW_FLAGS[@]}" -cp "$CP" org.wegeft.examples.FineTuneVit 2>"$WORK/err.txt")" \
  || { cat "$WORK/err.txt" >&2; echo "consumer-check: the program failed" >&2; exit 1; }
echo "$out"
grep -q "test accuracy" <<<"$out" || { echo "consumer-check: no test accuracy printed" >&2; exit 1; }

echo "consumer-check: running without Arrow's flags"
if java "${KERNEL_FLAGS[@]}" -cp "$CP" org.wegeft.examples.FineTuneVit >"$WORK/out2.txt" 2>"$WORK/err2.txt"; then
  echo "consumer-check: the program ran without Arrow's flags; expected a failure naming them" >&2
  exit 1
fi
for flag in "${ARROW_FLAGS[@]}"; do
  grep -qF -- "$flag" "$WORK/err2.txt" \
    || { cat "$WORK/err2.txt" >&2; echo "consumer-check: the failure does not name $flag" >&2; exit 1; }
done
grep -m1 -F -- "--add-opens" "$WORK/err2.txt"
echo "consumer-check: passed"
