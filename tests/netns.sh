# shellcheck shell=bash
# tests/netns.sh - sourced by the cluster tests: "hosts" made of network namespaces on
# this machine. Host i is namespace <tag>-h<i> with address <subnet>.<i+1>/24 on a veth
# whose other end is on a bridge in namespace <tag>-sw (the switch), so every host
# reaches every other one. Nothing is configured outside these namespaces.
#
# netns_ensure_ip: installs iproute2 when the ip command is missing (root only); returns
#   1 if it cannot.
# netns_hosts TAG N SUBNET: creates the switch and N hosts (SUBNET is three octets,
#   e.g. 10.213.7). Returns 0 when done; 1, with the kernel's reason in netns_error,
#   when network namespaces, veths or bridges are refused; 2 on any other error.
# netns_addr I: host I's address. netns_name I: host I's namespace.
# netns_veth_bytes I: "received sent" bytes of host I's veth so far.
# netns_cleanup: kills whatever still runs in the namespaces and deletes them (their
#   veths go with them). Safe to call more than once, and after a partial setup.

netns_names=()
netns_error=
netns_tag=
netns_subnet=
netns_count=0

netns_ensure_ip() {
    command -v ip >/dev/null && return 0
    # iproute2 is not part of a minimal Debian; installed here rather than for every build
    echo "installing iproute2"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends iproute2 >/dev/null 2>&1 ||
        { apt-get update -q && apt-get install -y -q --no-install-recommends iproute2; } \
            >/dev/null 2>&1
    command -v ip >/dev/null
}

netns_addr() { echo "$netns_subnet.$(($1 + 1))"; }
netns_name() { echo "$netns_tag-h$1"; }

netns_hosts() {
    local tag=$1 n=$2 subnet=$3 sw=$1-sw ns i err
    netns_tag=$tag netns_subnet=$subnet netns_count=$n
    # (set -e does not apply inside a function called from a condition: every step
    # checks its own status)
    err=$(ip netns add "$sw" 2>&1) || {
        netns_error="ip netns add refused: $err"
        return 1
    }
    netns_names+=("$sw")
    ip -n "$sw" link set lo up || return 2
    err=$(ip -n "$sw" link add br0 type bridge 2>&1) || {
        netns_error="no bridge device: $err"
        return 1
    }
    ip -n "$sw" link set br0 up || return 2
    for ((i = 0; i < n; i++)); do
        ns=$tag-h$i
        ip netns add "$ns" || return 2
        netns_names+=("$ns")
        ip -n "$ns" link set lo up || return 2
        # veth names: at most 15 characters, unique per test process
        err=$(ip link add "m$$h$i" type veth peer name "m$$s$i" 2>&1) || {
            netns_error="no veth pairs: $err"
            return 1
        }
        ip link set "m$$h$i" netns "$ns" &&
            ip link set "m$$s$i" netns "$sw" &&
            ip -n "$sw" link set "m$$s$i" master br0 up &&
            ip -n "$ns" addr add "$(netns_addr "$i")/24" dev "m$$h$i" &&
            ip -n "$ns" link set "m$$h$i" up || return 2
    done
}

netns_veth_bytes() {
    # /proc/net/dev as seen from the namespace: "name:rx_bytes ... (8 fields) tx_bytes",
    # with no space after the colon once the count is long
    ip netns exec "$(netns_name "$1")" cat /proc/net/dev |
        awk -v dev="m$$h$1" '{ sub(":", " ") } $1 == dev { print $2, $10 }'
}

netns_cleanup() {
    local ns i
    for ns in ${netns_names[@]+"${netns_names[@]}"}; do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
        ip netns del "$ns" 2>/dev/null || true
    done
    netns_names=()
    for ((i = 0; i < netns_count; i++)); do # a veth left here by a failed setup
        ip link del "m$$h$i" 2>/dev/null || true
    done
}
