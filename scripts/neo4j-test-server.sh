#!/usr/bin/env bash
# A throwaway Neo4j Community server for tests, assembled from Maven Central.
#
#   scripts/neo4j-test-server.sh fetch                  resolve Neo4j into the cache (once); prints its lib dir
#   scripts/neo4j-test-server.sh start DIR              start a server whose conf, data, logs and run live in DIR;
#                                                       prints the bolt URI once bolt answers
#   scripts/neo4j-test-server.sh stop DIR               stop it (no-op when it is not running)
#   scripts/neo4j-test-server.sh status DIR             exit 0 when running
#   scripts/neo4j-test-server.sh import DIR NODES RELS [OPTION...]
#                                                       neo4j-admin database import full into DIR's `neo4j`
#                                                       database (server must be stopped); OPTIONs go to
#                                                       neo4j-admin and override the defaults below
#   scripts/neo4j-test-server.sh admin DIR ARG...       any other neo4j-admin command against DIR
#
# Neo4j publishes no server tarball on Maven Central (the neo4j-community-standalone artifact there is a
# pom only), so `fetch` resolves that pom's runtime dependencies -- exactly the jars of the tarball's lib/
# -- and DIR gets a conf/neo4j.conf written here instead of the tarball's. The launcher classes are the
# tarball's own (org.neo4j.server.startup.Neo4jBoot / Neo4jAdminBoot), so `start`, `stop` and
# `neo4j-admin` behave as bin/neo4j and bin/neo4j-admin do.
#
# Environment:
#   NEO4J_VERSION          default 5.26.30 (latest 5.26 LTS on Maven Central; runs on Java 17 or 21)
#   NEO4J_CACHE            default $HOME/.cache/ncbi-gene-kg/neo4j (Maven repo + assembled lib/)
#   NEO4J_JAVA_HOME        JDK to run Neo4j with; else JAVA_HOME, else `java` on PATH, else a 17/21 JDK
#                          under /usr/lib/jvm
#   NEO4J_HEAP             heap for server and neo4j-admin, default 512m
#   NEO4J_PAGECACHE        page cache, default 256m
#   NEO4J_IMPORT_HEAP      heap for neo4j-admin database import, default 1g (what it asks for)
#   NEO4J_IMPORT_OFF_HEAP  neo4j-admin import --max-off-heap-memory, default 1g
#   NEO4J_BOLT_PORT        fixed bolt port (default: a free one); NEO4J_HTTP_PORT likewise
#   NEO4J_PASSWORD         when set, auth is on with user neo4j and this password (min 8 chars);
#                          otherwise auth is off (the server listens on 127.0.0.1 only)
#   NEO4J_START_TIMEOUT    seconds to wait for bolt, default 180
set -euo pipefail

NEO4J_VERSION="${NEO4J_VERSION:-5.26.30}"
NEO4J_CACHE="${NEO4J_CACHE:-$HOME/.cache/ncbi-gene-kg/neo4j}"
NEO4J_HEAP="${NEO4J_HEAP:-512m}"
NEO4J_PAGECACHE="${NEO4J_PAGECACHE:-256m}"
NEO4J_IMPORT_HEAP="${NEO4J_IMPORT_HEAP:-1g}"
NEO4J_IMPORT_OFF_HEAP="${NEO4J_IMPORT_OFF_HEAP:-1g}"
NEO4J_START_TIMEOUT="${NEO4J_START_TIMEOUT:-180}"
DIST="$NEO4J_CACHE/neo4j-community-$NEO4J_VERSION"
COORDS="org.neo4j.assembly:neo4j-community-standalone:$NEO4J_VERSION:pom"

die() { echo "neo4j-test-server: $*" >&2; exit 1; }
log() { echo "neo4j-test-server: $*" >&2; }

# --- Java --------------------------------------------------------------------------------------------

java_major() {  # java_major JAVA_BIN -> 17, 21, ...
    "$1" -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1
}

# Sets JAVA_HOME to a JDK that Neo4j $NEO4J_VERSION runs on (5.x: 17 or 21).
find_java() {
    local candidates=() c major
    if [[ -n "${NEO4J_JAVA_HOME:-}" ]]; then
        [[ -x "$NEO4J_JAVA_HOME/bin/java" ]] || die "NEO4J_JAVA_HOME=$NEO4J_JAVA_HOME has no bin/java"
        major="$(java_major "$NEO4J_JAVA_HOME/bin/java")"
        [[ "$major" == 17 || "$major" == 21 ]] \
            || die "NEO4J_JAVA_HOME is Java $major; Neo4j $NEO4J_VERSION supports 17 and 21"
        export JAVA_HOME="$NEO4J_JAVA_HOME"
        return 0
    fi
    [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME/bin/java")
    command -v java >/dev/null 2>&1 && candidates+=("$(readlink -f "$(command -v java)")")
    for c in /usr/lib/jvm/*-17-* /usr/lib/jvm/*-21-* /usr/lib/jvm/*17* /usr/lib/jvm/*21*; do
        [[ -x "$c/bin/java" ]] && candidates+=("$c/bin/java")
    done
    ((${#candidates[@]})) || die "java not found: install a JDK 17 or 21 (Debian: apt-get install openjdk-17-jdk-headless)"
    for c in "${candidates[@]}"; do
        [[ -x "$c" ]] || continue
        major="$(java_major "$c")"
        if [[ "$major" == 17 || "$major" == 21 ]]; then
            JAVA_HOME="$(cd "$(dirname "$c")/.." && pwd)"
            export JAVA_HOME
            return 0
        fi
    done
    die "no Java 17 or 21 found (Neo4j $NEO4J_VERSION needs one; tried: ${candidates[*]})"
}

# --- fetch -------------------------------------------------------------------------------------------

cmd_fetch() {
    if [[ -f "$DIST/.complete" ]]; then
        echo "$DIST/lib"
        return 0
    fi
    command -v mvn >/dev/null 2>&1 || die "mvn not found: install Maven (Debian: apt-get install maven)"
    find_java
    mkdir -p "$NEO4J_CACHE"
    # One fetch at a time per cache (parallel test workers, or two checkouts sharing the cache).
    exec 9>"$NEO4J_CACHE/.fetch.lock"
    if command -v flock >/dev/null 2>&1; then flock 9; fi
    if [[ -f "$DIST/.complete" ]]; then
        echo "$DIST/lib"
        return 0
    fi
    local work="$DIST.partial" started=$SECONDS
    rm -rf "$work"
    mkdir -p "$work/lib"
    # A pom that depends on the assembly's pom: its runtime closure is the tarball's lib/.
    cat >"$work/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.ncbi-gene-kg</groupId>
  <artifactId>neo4j-test-server</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.neo4j.assembly</groupId>
      <artifactId>neo4j-community-standalone</artifactId>
      <version>$NEO4J_VERSION</version>
      <type>pom</type>
    </dependency>
  </dependencies>
</project>
EOF
    log "fetching $COORDS and its runtime dependencies with Maven into $NEO4J_CACHE"
    if ! (cd "$work" && mvn -B -ntp -f pom.xml \
            -Dmaven.repo.local="$NEO4J_CACHE/m2" \
            org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
            -DincludeScope=runtime -DexcludeTypes=pom -DoutputDirectory="$work/lib") \
            >"$work/fetch.log" 2>&1; then
        tail -n 40 "$work/fetch.log" >&2
        die "Maven could not resolve $COORDS (full log: $work/fetch.log)"
    fi
    [[ -n "$(compgen -G "$work/lib/neo4j-$NEO4J_VERSION.jar")" ]] \
        || die "resolved, but $work/lib has no neo4j-$NEO4J_VERSION.jar"
    echo "$NEO4J_VERSION" >"$work/.complete"
    rm -rf "$DIST"
    mv "$work" "$DIST"
    log "fetched Neo4j $NEO4J_VERSION ($(ls "$DIST/lib" | wc -l) jars) in $((SECONDS - started))s"
    echo "$DIST/lib"
}

# --- a server home in DIR ----------------------------------------------------------------------------

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {  # a port nobody listens on, from the range Linux does not hand out as ephemeral
    local p i
    for ((i = 0; i < 200; i++)); do
        p=$((20000 + RANDOM % 12000))
        if ! port_in_use "$p"; then echo "$p"; return 0; fi
    done
    die "no free port found"
}

CDS="$DIST/classes.jsa"  # class-data archive of a server run: start-up needs a third less CPU

# Make DIR a Neo4j home using the cached jars, with a conf/neo4j.conf with fresh ports. Sets BOLT_PORT.
# neo4j-admin reads the same file (server.jvm.additional included); `prepare_home DIR admin` leaves
# out the archive dump, which only a server run should write.
prepare_home() {
    local home="$1" mode="${2:-server}" bolt http cds=""
    [[ -f "$DIST/.complete" ]] || cmd_fetch >/dev/null
    mkdir -p "$home"/{conf,data,logs,run,import,plugins}
    # The first server started dumps the classes it loaded when it exits (cmd_stop moves the dump
    # into the cache); later servers map that archive. The JVM ignores an archive that does not fit
    # (other JDK, other jars) with a warning, so a stale one costs only the speed-up.
    if [[ -f "$CDS" ]]; then
        cds="-XX:SharedArchiveFile=$CDS"
    elif [[ "$mode" == server ]]; then
        cds="-XX:ArchiveClassesAtExit=$home/run/classes.jsa"
    fi
    bolt="${NEO4J_BOLT_PORT:-$(free_port)}"
    http="${NEO4J_HTTP_PORT:-$(free_port)}"
    [[ "$bolt" != "$http" ]] || http="$(free_port)"
    cat >"$home/conf/neo4j.conf" <<EOF
# Written by scripts/neo4j-test-server.sh; rewritten at every start.
server.directories.data=$home/data
server.directories.logs=$home/logs
server.directories.run=$home/run
server.directories.import=$home/import
server.directories.plugins=$home/plugins
# The jars stay in the cache: one class path for every home, so the class-data archive fits them all.
server.directories.lib=$DIST/lib

# Loopback only.
server.default_listen_address=127.0.0.1
server.default_advertised_address=127.0.0.1
server.bolt.listen_address=127.0.0.1:$bolt
server.bolt.advertised_address=127.0.0.1:$bolt
server.http.listen_address=127.0.0.1:$http
server.http.advertised_address=127.0.0.1:$http
server.https.enabled=false
server.bolt.tls_level=DISABLED
dbms.security.auth_enabled=$([[ -n "${NEO4J_PASSWORD:-}" ]] && echo true || echo false)

# No phoning home.
dbms.usage_report.enabled=false

# Small: a 2-core CI machine runs this next to the test suite.
server.memory.heap.initial_size=$NEO4J_HEAP
server.memory.heap.max_size=$NEO4J_HEAP
server.memory.pagecache.size=$NEO4J_PAGECACHE
server.jvm.additional=-XX:+UseG1GC
server.jvm.additional=-XX:-OmitStackTraceInFastThrow
server.jvm.additional=-XX:+UnlockExperimentalVMOptions
server.jvm.additional=-XX:+TrustFinalNonStaticFields
server.jvm.additional=-XX:+DisableExplicitGC
server.jvm.additional=-Djdk.nio.maxCachedBufferSize=1024
server.jvm.additional=-Dio.netty.tryReflectionSetAccessible=true
server.jvm.additional=--add-opens=java.base/java.nio=ALL-UNNAMED
server.jvm.additional=--add-opens=java.base/java.io=ALL-UNNAMED
server.jvm.additional=--add-opens=java.base/sun.nio.ch=ALL-UNNAMED
server.jvm.additional=--enable-native-access=ALL-UNNAMED
server.jvm.additional=-Dlog4j2.disable.jmx=true
# Test servers live for seconds to minutes: C1-only JIT and the class-data archive halve the CPU
# a start takes (17 s -> 6 s measured), which is most of its time on a busy 2-core machine.
server.jvm.additional=-XX:TieredStopAtLevel=1
${cds:+server.jvm.additional=$cds}

# A test server holds nothing worth keeping: no tx log retention, quick shutdown. The two
# internal.* settings cut the Bolt server's 2 x 5 s graceful-shutdown wait (unsupported settings,
# fine for a throwaway server).
db.tx_log.rotation.retention_policy=false
internal.dbms.bolt.netty_server_shutdown_quiet_period=0
internal.server.bolt.thread_pool_shutdown_wait_time=1s
EOF
    BOLT_PORT="$bolt"
}

neo4j_boot() {  # neo4j_boot DIR ARG...: bin/neo4j
    local home="$1"; shift
    NEO4J_HOME="$home" NEO4J_CONF="$home/conf" HEAP_SIZE="$NEO4J_HEAP" \
        "$JAVA_HOME/bin/java" -cp "$DIST/lib/*" org.neo4j.server.startup.Neo4jBoot "$@"
}

neo4j_admin() {  # neo4j_admin DIR ARG...: bin/neo4j-admin
    local home="$1"; shift
    NEO4J_HOME="$home" NEO4J_CONF="$home/conf" HEAP_SIZE="$NEO4J_HEAP" \
        "$JAVA_HOME/bin/java" -cp "$DIST/lib/*" org.neo4j.server.startup.Neo4jAdminBoot "$@"
}

is_running() {  # is_running DIR
    local pidfile="$1/run/neo4j.pid"
    [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

cmd_start() {
    local home
    [[ $# -eq 1 ]] || die "usage: start DIR"
    mkdir -p "$1"
    home="$(cd "$1" && pwd)"
    find_java
    is_running "$home" && die "already running in $home (pid $(cat "$home/run/neo4j.pid"))"
    prepare_home "$home"
    if [[ -n "${NEO4J_PASSWORD:-}" && ! -d "$home/data/databases/system" ]]; then
        neo4j_admin "$home" dbms set-initial-password "$NEO4J_PASSWORD" >&2
    fi
    local started=$SECONDS seen=0
    [[ -f "$home/logs/neo4j.log" ]] && seen="$(wc -l <"$home/logs/neo4j.log")"
    neo4j_boot "$home" start >&2 || die "neo4j start failed; see $home/logs"
    # Ready when this run's lines of neo4j.log say Started. (every database is up) and bolt accepts
    # connections.
    while ! { tail -n "+$((seen + 1))" "$home/logs/neo4j.log" 2>/dev/null | grep -q 'INFO  Started\.' \
                && port_in_use "$BOLT_PORT"; }; do
        if ! is_running "$home"; then
            tail -n 30 "$home/logs/neo4j.log" >&2 || true
            die "server in $home exited during start-up (logs: $home/logs)"
        fi
        if ((SECONDS - started > NEO4J_START_TIMEOUT)); then
            tail -n 30 "$home/logs/neo4j.log" >&2 || true
            neo4j_boot "$home" stop >&2 || true
            die "bolt did not answer within ${NEO4J_START_TIMEOUT}s (logs: $home/logs)"
        fi
        sleep 0.2
    done
    echo "bolt://127.0.0.1:$BOLT_PORT" >"$home/bolt-uri"
    log "Neo4j $NEO4J_VERSION up in $((SECONDS - started))s in $home"
    echo "bolt://127.0.0.1:$BOLT_PORT"
}

cmd_stop() {
    [[ $# -eq 1 ]] || die "usage: stop DIR"
    [[ -d "$1" ]] || return 0
    local home; home="$(cd "$1" && pwd)"
    is_running "$home" || return 0
    find_java
    neo4j_boot "$home" stop >&2
    is_running "$home" && die "server in $home did not stop"
    # The JVM writes the archive before it exits, so after a clean stop the dump is whole.
    if [[ -s "$home/run/classes.jsa" && ! -f "$CDS" ]]; then
        cp "$home/run/classes.jsa" "$CDS.$$" && mv -f "$CDS.$$" "$CDS"
    fi
    rm -f "$home/run/classes.jsa"
}

cmd_status() {
    [[ $# -eq 1 ]] || die "usage: status DIR"
    [[ -d "$1" ]] && is_running "$(cd "$1" && pwd)"
}

has_option() {  # has_option --NAME ARG...: is --NAME or --NAME=... among ARGs?
    local name="$1" a
    shift
    for a in "$@"; do
        [[ "$a" == "$name" || "$a" == "$name="* ]] && return 0
    done
    return 1
}

cmd_import() {
    [[ $# -ge 3 ]] || die "usage: import DIR NODES RELS [neo4j-admin option...]  (RELS may be '')"
    local home nodes="$2" rels="$3" d
    mkdir -p "$1"
    home="$(cd "$1" && pwd)"
    shift 3
    is_running "$home" && die "stop the server in $home before importing"
    find_java
    prepare_home "$home" admin
    # Defaults for the KGX-style export: tab-separated, '|' between array elements, no quoting ('"'
    # is data there; neo4j-admin cannot turn quoting off, and with its default '"' a value that starts
    # with '"' fails the whole import, so the quote is a control character that never occurs).
    # neo4j-admin refuses an option given twice, so a default is dropped when the caller passes it.
    local defaults=(
        --delimiter=TAB
        "--array-delimiter=|"
        --quote=U+0001
        --id-type=string
        --overwrite-destination=true
        "--max-off-heap-memory=$NEO4J_IMPORT_OFF_HEAP"
        "--report-file=$home/logs/import.report"
    )
    local args=(--nodes="$nodes")
    [[ -n "$rels" ]] && args+=(--relationships="$rels")
    for d in "${defaults[@]}"; do
        has_option "${d%%=*}" "$@" || args+=("$d")
    done
    # The database name goes first: --nodes/--relationships take a variable number of files.
    NEO4J_HEAP="$NEO4J_IMPORT_HEAP" neo4j_admin "$home" database import full neo4j "${args[@]}" "$@"
}

cmd_admin() {
    [[ $# -ge 2 ]] || die "usage: admin DIR ARG..."
    mkdir -p "$1"
    local home; home="$(cd "$1" && pwd)"
    shift
    find_java
    [[ -f "$home/conf/neo4j.conf" ]] || prepare_home "$home" admin
    neo4j_admin "$home" "$@"
}

case "${1:-}" in
    fetch) shift; cmd_fetch "$@" ;;
    start) shift; cmd_start "$@" ;;
    stop) shift; cmd_stop "$@" ;;
    status) shift; cmd_status "$@" ;;
    import) shift; cmd_import "$@" ;;
    admin) shift; cmd_admin "$@" ;;
    *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
