#!/usr/bin/env bash
# Builds, on a machine with JDK 25 and Maven access, what tools/gpu-check.sh needs on a GPU machine that has no JDK
# and no network: a trimmed Java 25 runtime (jlink), the command-line jar, and the kernel conformance suite's
# classes with the JUnit API jars it needs. Output: shared-gpu/ (gitignored; carry it to the GPU machine).
# Usage: tools/make-gpu-bundle.sh [out-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-shared-gpu}"
case "$OUT" in /*) ;; *) OUT="$PWD/$OUT" ;; esac   # absolute: Maven runs with its own working directory
source tools/java-home.sh
./mvnw -B -q -ntp -DskipTests package -pl cli,kernels-opencl -am
JAR=cli/target/wegeft.jar
[ -f "$JAR" ] || { echo "make-gpu-bundle: $JAR was not built" >&2; exit 1; }
rm -rf "$OUT"
mkdir -p "$OUT/conformance"
# the modules the shaded jar needs (+ jdk.incubator.vector, loaded with --add-modules, and jdk.zipfs for jar: paths),
# less java.desktop and java.compiler: jdeps sees them through optional paths of dependencies (java.beans
# introspection, annotation processors) that the command line never takes; KEEP_ALL_MODULES=1 keeps them.
MODS="$(jdeps --multi-release 25 --print-module-deps --ignore-missing-deps "$JAR"),jdk.incubator.vector,jdk.zipfs"
if [ -z "${KEEP_ALL_MODULES:-}" ]; then
  MODS="$(echo "$MODS" | tr ',' '\n' | grep -vx 'java.desktop\|java.compiler' | sort -u | paste -sd, -)"
fi
echo "make-gpu-bundle: jlink modules: $MODS"
jlink --add-modules "$MODS" --strip-debug --no-header-files --no-man-pages --compress=zip-9 --output "$OUT/jre"
cp "$JAR" "$OUT/wegeft.jar"
# the conformance suite: the kernels' test and main classes, the CUDA and OpenCL backends' classes (each keeps its
# own META-INF/services), and the test class path's jars (JUnit API, opentest4j, …)
cp -r kernels/target/test-classes "$OUT/conformance/test-classes"
cp -r kernels/target/classes "$OUT/conformance/classes"
cp -r kernels-cuda/target/classes "$OUT/conformance/cuda-classes"
cp -r kernels-opencl/target/classes "$OUT/conformance/opencl-classes"
# the shared kernel sources in their CUDA dialect, with each module's kernel names, for gpu-check's nvcc step
java -cp kernels/target/classes org.wegeft.kernels.device.DeviceKernelSources cuda "$OUT/kernel-sources"
./mvnw -B -q -ntp dependency:build-classpath -pl kernels -Dmdep.includeScope=test \
  -Dmdep.outputFile="$OUT/conformance/classpath.txt"
mkdir -p "$OUT/conformance/lib"
tr ':' '\n' < "$OUT/conformance/classpath.txt" | while read -r j; do [ -n "$j" ] && cp "$j" "$OUT/conformance/lib/"; done
rm "$OUT/conformance/classpath.txt"
cp tools/gpu-check.sh tools/bench/torch_ref.py "$OUT/"
echo "make-gpu-bundle: runtime $(du -sh "$OUT/jre" | cut -f1), jar $(du -sh "$OUT/wegeft.jar" | cut -f1), total $(du -sh "$OUT" | cut -f1) in $OUT"
