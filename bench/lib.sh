# Shell functions shared by the benchmark scripts (sourced, not run).

# Writes the [Server], [SIP] and [WebServer] sections every benchmark server uses to stdout: loopback only,
# warnings only, SIP on $1 (UDP and TCP) and $1+1 (TLS), HTTP/WebSocket on $2. Callers append their own sections.
server_ini() {
    cat <<INI
[Server]
log_level = warning
[SIP]
local_ip = 127.0.0.1
local_udp_port = $1
local_tcp_port = $1
local_tls_port = $(($1 + 1))
[WebServer]
local_ip = 127.0.0.1
local_port = $2
INI
}

# Waits up to $2 seconds (default 60) for the server writing log $1 to say it started; on timeout prints the log's
# tail and exits the script.
await_started() {
    local log=$1 seconds=${2:-60}
    for _ in $(seq "$seconds"); do grep -q ' started: ' "$log" 2>/dev/null && return 0; sleep 1; done
    echo "server did not start:"; tail -20 "$log"; exit 1
}

# User + system CPU time of process $1 so far, in clock ticks (getconf CLK_TCK per second).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# Makes directory $1 a server home that runs the distribution $2 plus the archives given after it (a benchmark's
# baseline application): the server deploys what its home's webapps/ holds when it starts (it has no hot deploy).
home_with() {
    local home=$1 dist=$2
    shift 2
    mkdir -p "$home/webapps"
    for entry in "$dist"/*; do [ "$(basename "$entry")" = webapps ] || ln -sfn "$entry" "$home/"; done
    ln -sf "$dist"/webapps/*.war "$home/webapps/"
    cp "$@" "$home/webapps/"
}
