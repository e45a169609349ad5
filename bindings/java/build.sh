#!/usr/bin/env bash
# Builds the Java bindings into OUTDIR (default bindings/java/build/):
#   OUTDIR/lib/libtorsh_jni.so  the JNI library (linked to libtorsh.so, rpath to its dir)
#   OUTDIR/classes/             the org.torsh classes
#   OUTDIR/torsh.jar            the same classes as a jar
#
# usage: bindings/java/build.sh [LIBDIR [INCLUDEDIR [OUTDIR]]]
#   LIBDIR      the directory holding libtorsh.so   (default: the repository's torsh/lib)
#   INCLUDEDIR  the directory holding torsh.h       (default: the repository's include)
#   OUTDIR      where to build                      (default: bindings/java/build)
# Environment: JAVA_HOME (default: found from javac), CC (default: gcc),
# TORSH_JNI_ALLOW_UNDEFINED (see below).
#
# Then: java -Djava.library.path=bindings/java/build/lib -cp bindings/java/build/classes \
#            org.torsh.Example
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
LIBDIR="${1:-$ROOT/torsh/lib}"
INCDIR="${2:-$ROOT/include}"
BUILD="${3:-$HERE/build}"
CC="${CC:-gcc}"

if [[ ! -f "$LIBDIR/libtorsh.so" ]]; then
    echo "build.sh: no libtorsh.so in $LIBDIR (run 'make lib' first)" >&2
    exit 1
fi
if [[ ! -f "$INCDIR/torsh.h" ]]; then
    echo "build.sh: no torsh.h in $INCDIR" >&2
    exit 1
fi
LIBDIR="$(cd "$LIBDIR" && pwd)"
INCDIR="$(cd "$INCDIR" && pwd)"
mkdir -p "$BUILD"
BUILD="$(cd "$BUILD" && pwd)"

if [[ -z "${JAVA_HOME:-}" ]]; then
    if command -v javac >/dev/null 2>&1; then
        JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
    else
        JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
    fi
fi
JAVAC="$JAVA_HOME/bin/javac"
JAR="$JAVA_HOME/bin/jar"
if [[ ! -x "$JAVAC" || ! -f "$JAVA_HOME/include/jni.h" ]]; then
    echo "build.sh: no JDK at $JAVA_HOME (javac and include/jni.h are needed; set JAVA_HOME)" >&2
    exit 1
fi

mkdir -p "$BUILD/lib" "$BUILD/classes"

# -Wl,--no-undefined: a libtorsh.so lacking a function the bindings call fails here, at
# link time, instead of killing the JVM with a symbol lookup error at the first call.
# TORSH_JNI_ALLOW_UNDEFINED=1 drops it (only for working against an older libtorsh).
NO_UNDEFINED=(-Wl,--no-undefined)
if [[ "${TORSH_JNI_ALLOW_UNDEFINED:-0}" == 1 ]]; then NO_UNDEFINED=(); fi
"$CC" -std=c11 -O2 -g -Wall -Wextra -Werror -fPIC -shared \
    -I"$JAVA_HOME/include" -I"$JAVA_HOME/include/linux" -I"$INCDIR" \
    -o "$BUILD/lib/libtorsh_jni.so" "$HERE/jni/torsh_jni.c" \
    -L"$LIBDIR" -ltorsh -Wl,-rpath,"$LIBDIR" "${NO_UNDEFINED[@]}"

rm -rf "$BUILD/classes"
mkdir -p "$BUILD/classes"
"$JAVAC" --release 17 -Xlint:all -Werror -encoding UTF-8 -d "$BUILD/classes" \
    "$HERE"/src/org/torsh/*.java
"$JAR" cf "$BUILD/torsh.jar" -C "$BUILD/classes" .

echo "built $BUILD/lib/libtorsh_jni.so and $BUILD/classes (against $LIBDIR/libtorsh.so)"
