# Sourced by .ci/run, ./wegeft and ./mvnw (POSIX sh: mvnw runs under /bin/sh): makes JAVA_HOME a JDK 25 or newer.
_wegeft_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'
}
if [ -z "${JAVA_HOME:-}" ] || [ ! -x "$JAVA_HOME/bin/javac" ] || [ "$(_wegeft_java_major "$JAVA_HOME")" -lt 25 ] 2>/dev/null; then
  if [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/javac ]; then
    export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
  fi
fi
if [ -z "${JAVA_HOME:-}" ] || [ "$(_wegeft_java_major "$JAVA_HOME")" -lt 25 ] 2>/dev/null; then
  echo "WeGeFT-JVM needs a JDK 25: install one (e.g. Eclipse Temurin 25) and set JAVA_HOME to it." >&2
  exit 2
fi
export PATH="$JAVA_HOME/bin:$PATH"
