#!/usr/bin/env bash
# `make test-cluster`: the workflow on a real SLURM cluster (docs/cluster.md).
#
# Installs Debian's SLURM packages (once per machine), starts a single-node cluster whose
# state lives in a temporary directory (tests/cluster/slurm.sh), runs tests/cluster/ with
# pytest against it (the shipped profile profiles/slurm: outputs byte-identical to a local
# run, a broken input failing with its log named, a job killed by SLURM leaving nothing
# behind) and stops the daemons by their process ids, whatever happened. It needs root and
# apt-get; without them it says so and skips (exit 0). Takes about 2-3 minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-.venv/bin/python}
start=$SECONDS

skip() {
  echo "test-cluster: SKIPPED: $*"
  exit 0
}
[ "$(uname -s)" = Linux ] || skip "SLURM test clusters are started on Linux only"
[ "$(id -u)" = 0 ] || skip "not root: the test installs Debian's SLURM packages and starts" \
  "slurmctld, slurmd and munged. Run it as root (CI does), or try profiles/slurm on your" \
  "cluster (docs/cluster.md)"
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null ||
  ! command -v munged >/dev/null; then
  command -v apt-get >/dev/null || skip "SLURM is not installed and there is no apt-get to" \
    "install Debian's packages (slurmctld slurmd munge)"
fi

# One test cluster per machine at a time (it needs /etc/slurm/slurm.conf and the ports).
mkdir -p /run/lock
exec 9>/run/lock/abs-trust-test-cluster.lock
flock -w 600 9 || { echo "test-cluster: another test cluster held the lock for 10 minutes" >&2; exit 1; }
running=$( (pgrep -x slurmctld; pgrep -x slurmd) | tr '\n' ' ') || true
if [ -n "$running" ]; then
  echo "test-cluster: SLURM daemons already run here (pids $running); the test starts its" \
    "own cluster and cannot run beside them" >&2
  exit 1
fi

bash tests/cluster/slurm.sh install
dir=$(mktemp -d /tmp/abs-trust-slurm.XXXXXX)
finish() {
  status=$?
  bash tests/cluster/slurm.sh stop "$dir" || status=1
  if [ "$status" -ne 0 ]; then
    echo "test-cluster: FAILED; the cluster's logs (last lines):" >&2
    tail -n 15 "$dir"/log/*.log >&2 || true
  fi
  rm -rf "$dir"
  echo "test-cluster: $((SECONDS - start)) s in all"
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM
bash tests/cluster/slurm.sh start "$dir"
echo "test-cluster: cluster ready after $((SECONDS - start)) s"
ABS_TRUST_SLURM=1 "$PYTHON" -m pytest -q -p no:cacheprovider --durations=0 tests/cluster
