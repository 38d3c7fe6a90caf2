#!/usr/bin/env bash
# Regenerates the embedded data under examples/data/ (see tools/data/README.md). Needs the Debian packages
# dataset-fashion-mnist and python3-sklearn (or --fashion DIR / --digits FILE). Extra arguments go to ConvertData,
# e.g. --fashion-full /data/fashion-mnist to also write the full Fashion-MNIST train/test sets there.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/tools/java-home.sh"
cd "$ROOT"
./mvnw -B -q -ntp -DskipTests -pl cli -am package >&2
exec java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  --add-opens=java.base/java.nio=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -cp cli/target/wegeft.jar org.wegeft.cli.data.ConvertData "$@" 2> >(grep -v 'incubator modules' >&2)
