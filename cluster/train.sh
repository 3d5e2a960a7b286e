#!/usr/bin/env bash
# cluster/train.sh - launch `mpirl train` over every rank of a Slurm allocation, or of
# a hostfile outside Slurm, with one rank per core: rank 0 (the learner) alone on its
# core, each actor on a core of its own. The batch scripts in cluster/ call it; it can
# also be run by hand inside `salloc` or with a hostfile.
#
# usage: cluster/train.sh [mpirl train options]...
#   e.g. cluster/train.sh --env Pendulum-v1 --mode async --steps 2e6
#
# Environment (all optional):
#   MPIRL_BIN       the mpirl program (default: build/src/mpirl of this checkout)
#   MPIRL_LAUNCHER  mpirun (default): Open MPI's mpirun, which takes the ranks and
#                   hosts from Slurm and binds with --map-by core --bind-to core;
#                   srun: Slurm starts the ranks itself (srun --mpi=pmix
#                   --cpu-bind=cores), as clusters that forbid mpirun require
#   MPIRL_OUT       run directory (default: runs/<job name>-<job id> under Slurm);
#                   a later --out among the arguments wins; unused with --resume
#   MPIRL_HOSTFILE  outside Slurm: the hostfile for mpirun (see hostfile.example)
#   MPIRL_NP        outside Slurm: the number of ranks (default: the hostfile's slots)
#   MPIRL_BIND      core (default): one rank per core, bound to it; none: no binding
#                   (when several "hosts" share one machine's cores, as in a test)
#   MPIRL_MPIRUN_ARGS  extra options for mpirun or srun, split on spaces
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
bin=${MPIRL_BIN:-$root/build/src/mpirl}
launcher=${MPIRL_LAUNCHER:-mpirun}
bind=${MPIRL_BIND:-core}

die() {
    echo "cluster/train.sh: $*" >&2
    exit 2
}

[ -x "$bin" ] || die "no mpirl program at $bin; build it first (scripts/test --build-only, or meson setup build && ninja -C build) or set MPIRL_BIN"

# One BLAS thread per rank: every rank already has its own core.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

out=()
resume=0
for a in "$@"; do
    case "$a" in --resume | --resume=*) resume=1 ;; esac
done
if [ $resume -eq 1 ]; then
    : # a resumed run writes into the directory it resumes
elif [ -n "${MPIRL_OUT-}" ]; then
    out=(--out "$MPIRL_OUT")
elif [ -n "${SLURM_JOB_ID-}" ]; then
    out=(--out "runs/${SLURM_JOB_NAME:-mpirl}-$SLURM_JOB_ID")
fi

read -r -a extra <<<"${MPIRL_MPIRUN_ARGS-}"
case "$bind" in
core | none) ;;
*) die "MPIRL_BIND must be core or none, not '$bind'" ;;
esac

case "$launcher" in
mpirun)
    # Under Slurm, mpirun reads the allocation (hosts, tasks per node) itself and
    # starts its daemons on the other nodes with srun. Outside Slurm it needs a
    # hostfile. --map-by core fills the cores of the first node in order, so rank 0,
    # the learner, is alone on core 0 and every actor has a core of its own;
    # --report-bindings prints that placement into the job's output. -x passes the
    # thread settings to ranks started on other hosts.
    cmd=(mpirun -x OPENBLAS_NUM_THREADS -x OMP_NUM_THREADS)
    if [ "$bind" = core ]; then
        cmd+=(--map-by core --bind-to core --report-bindings)
    else
        cmd+=(--bind-to none)
    fi
    if [ -z "${SLURM_JOB_ID-}" ]; then
        [ -n "${MPIRL_HOSTFILE-}" ] || die "outside Slurm, set MPIRL_HOSTFILE (see cluster/hostfile.example)"
        [ -r "$MPIRL_HOSTFILE" ] || die "cannot read the hostfile $MPIRL_HOSTFILE"
        cmd+=(--hostfile "$MPIRL_HOSTFILE")
        if [ -n "${MPIRL_NP-}" ]; then
            cmd+=(-np "$MPIRL_NP")
        fi
    fi
    ;;
srun)
    [ -n "${SLURM_JOB_ID-}" ] || die "MPIRL_LAUNCHER=srun works only inside a Slurm job"
    # srun starts one task per allocated task slot; PMIx connects them to Open MPI.
    cmd=(srun --mpi=pmix)
    if [ "$bind" = core ]; then
        cmd+=("--cpu-bind=verbose,cores")
    else
        cmd+=(--cpu-bind=none)
    fi
    ;;
*)
    die "MPIRL_LAUNCHER must be mpirun or srun, not '$launcher'"
    ;;
esac

cmd+=(${extra[@]+"${extra[@]}"} "$bin" train ${out[@]+"${out[@]}"} "$@")
echo "cluster/train.sh: ${cmd[*]}" >&2
exec "${cmd[@]}"
