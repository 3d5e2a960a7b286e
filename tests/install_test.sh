#!/usr/bin/env bash
# install_test.sh - a plugin built out of the tree against the installed headers
# (suite mpi).
#   usage: install_test.sh BUILD_DIR EXAMPLE_SOURCE
# `meson install` into a scratch DESTDIR; then the example plugin's source, copied
# alone into an empty directory, compiles against `pkg-config --cflags mpirl` both as
# it is (plain header names) and with <mpirl/...> includes, and the installed mpirl
# lists, replays and trains it.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
build=$(realpath "$1")
src=$(realpath "$2")
scratch_dir install
TAP_DIAG=$tmp/err

meson install -C "$build" --destdir "$tmp/root" --quiet >"$tmp/err" 2>&1
check "meson install into a scratch DESTDIR" $?
prefix=$(dirname "$(dirname "$(find "$tmp/root" -path '*/bin/mpirl' | head -1)")")
pc=$(dirname "$(find "$prefix" -name mpirl.pc | head -1)")
for h in env.h plugin.h rng.h; do
    [ -f "$prefix/include/mpirl/$h" ]
    check "installed <mpirl/$h>" $?
done
cflags=$(PKG_CONFIG_PATH=$pc pkg-config --define-variable=prefix="$prefix" --cflags mpirl 2>"$tmp/err")
check "pkg-config --cflags mpirl" $?

mkdir "$tmp/plain" "$tmp/prefixed"
cp "$src" "$tmp/plain/myenv.c"
sed -e 's|#include "env.h"|#include <mpirl/env.h>|' -e 's|#include "plugin.h"|#include <mpirl/plugin.h>|' \
    -e 's|#include "rng.h"|#include <mpirl/rng.h>|' "$src" >"$tmp/prefixed/myenv.c"
grep -q '<mpirl/plugin.h>' "$tmp/prefixed/myenv.c"
check "the prefixed copy includes <mpirl/plugin.h>" $?
for d in plain prefixed; do
    # shellcheck disable=SC2086 # cflags are words
    (cd "$tmp/$d" && cc -std=c11 -Wall -Wextra -Werror -fPIC -shared $cflags myenv.c -o libmyenv.so -lm) \
        >"$tmp/err" 2>&1
    check "the $d example compiles out of the tree" $?
done
mpirl=$prefix/bin/mpirl
(cd "$tmp/prefixed" && "$mpirl" envs --env ./libmyenv.so) >"$tmp/out" 2>"$tmp/err"
check "the installed mpirl lists the plugin" $([ $? -eq 0 ] && grep -q ExamplePointMass-v0 "$tmp/out" && echo 0 || echo 1)
(cd "$tmp/prefixed" && "$mpirl" replay --env ./libmyenv.so --state 0.5,0 --actions 1,1,-1) >"$tmp/out" 2>"$tmp/err"
check "... replays it" $([ $? -eq 0 ] && [ "$(grep -c . "$tmp/out")" -ge 3 ] && echo 0 || echo 1)
(cd "$tmp/plain" && mpirun -q -np 3 --oversubscribe "$mpirl" train --quiet --env ./libmyenv.so \
    --steps 4096 --out run) >"$tmp/out" 2>"$tmp/err"
check "... and trains it under mpirun" $([ $? -eq 0 ] && [ -f "$tmp/plain/run/checkpoint.bin" ] && echo 0 || echo 1)
tap_done
