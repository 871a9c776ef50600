# Shared by the benchmarks: a tree of many sleeping processes, and its orderly end.
# Source it after setting $shells, $per_shell and $bin; it sets $root (the tree's root shell).

# The tree: one root shell, $shells shells below it, $per_shell sleeps below each.
spawn_tree() {
    ulimit -u unlimited 2>/dev/null || true
    sh -c "for s in \$(seq $shells); do sh -c 'for i in \$(seq $per_shell); do sleep 900 & done; wait' & done; wait" &
    root=$!
}

# Leaves first, so each shell reaps its own sleeps, then the shells end by themselves.
stop_tree() {
    for shell in $(ps -o pid= --ppid "$root" 2>/dev/null); do
        kill $(ps -o pid= --ppid "$shell" 2>/dev/null) 2>/dev/null || true
    done
    wait "$root" 2>/dev/null || true
}

# Wait until the whole tree is there (as toolkit sees it); sets $have and $want.
wait_for_tree() {
    want=$((shells * per_shell + shells + 1))
    for _ in $(seq 200); do
        have=$($bin ps-tree -p --json "$root" | grep -c '"pid"' || true)
        [ "$have" -ge "$want" ] && break
        sleep 0.1
    done
}
