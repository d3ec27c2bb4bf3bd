#!/usr/bin/env bash
# A throwaway single-node SLURM cluster from Debian's packages, for tests/cluster/run.sh.
#
#   slurm.sh install      apt-get install slurmctld slurmd munge (as root; once per machine)
#   slurm.sh start DIR    configure and start munged, slurmctld and slurmd; wait for the node
#   slurm.sh stop DIR     cancel what is left in the queue, stop the three daemons by the
#                         process ids recorded in DIR, remove the configuration written
#
# Everything the cluster writes (munge key and socket, spool, state, logs, pid files) lives in
# DIR. Only /etc/slurm/slurm.conf is outside: the slurm-jobstep plugin clears SLURM_CONF for
# the srun it starts inside each job, so the configuration must sit where srun looks by
# default. That file carries a marker line; one without it (a real site's) is never touched.
# The cluster: this host as its only node, 2 CPUs, most of its memory, one partition `debug`,
# no accounting database (accounting_storage/none: `sacct` does not work, as on many small
# clusters) and no cgroups (proctrack/linuxproc, task/none: they do not work in containers).
set -euo pipefail

CONF=/etc/slurm/slurm.conf
MARKER="# written by abs-trust tests/cluster/slurm.sh; removed by 'slurm.sh stop'"
DAEMONS=(slurmd slurmctld munged) # the order they are stopped in

die() {
  echo "slurm.sh: $*" >&2
  exit 1
}

install_packages() {
  local missing=()
  for cmd in slurmctld slurmd munged sbatch; do
    command -v "$cmd" >/dev/null || missing+=("$cmd")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "slurm.sh: SLURM and munge already installed ($(slurmctld -V))"
    return
  fi
  echo "slurm.sh: installing Debian's slurmctld, slurmd, slurm-client and munge"
  export DEBIAN_FRONTEND=noninteractive
  # Another apt-get (CI installing chromium, another session) may hold the lock: wait for it.
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
    slurmctld slurmd slurm-client munge >/dev/null
  echo "slurm.sh: installed $(slurmctld -V)"
}

write_conf() {
  local dir=$1 host mem
  host=$(hostname -s)
  # All the memory but 2 GB: the memory requests of the workflow's jobs are checked against it.
  mem=$(($(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo) - 2048))
  [ "$mem" -ge 2000 ] || die "only $((mem + 2048)) MB of memory; the test cluster needs 4 GB"
  mkdir -p /etc/slurm
  cat >"$CONF" <<EOF
$MARKER
# state in $dir
ClusterName=abstrust
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.sock
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pidfile
SlurmdPidFile=$dir/slurmd.pidfile
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
# A job ends with SIGTERM, then SIGKILL after KillWait seconds (time limit, scancel).
KillWait=5
# squeue shows a finished job for MinJobAge seconds: the workflow's status queries need that.
MinJobAge=300
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
}

# Start "$@" in the background, detached from this shell, and record its pid as DIR/NAME.pid.
spawn() {
  local dir=$1 name=$2
  shift 2
  setsid "$@" >>"$dir/log/$name.out" 2>&1 </dev/null &
  echo $! >"$dir/$name.pid"
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  local dir=$1
  [ "$(id -u)" = 0 ] || die "start needs root"
  if [ -e "$CONF" ] && ! grep -qxF "$MARKER" "$CONF"; then
    die "$CONF exists and was not written by this script: this machine has its own SLURM" \
      "configuration, which the test does not touch"
  fi
  mkdir -p "$dir"/{munge,state,spool,log}
  # munged refuses a socket directory that not everyone can traverse, or a key others can read.
  chmod 755 "$dir" "$dir/munge"
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1 count=1024 status=none
  chmod 400 "$dir/munge/munge.key"
  spawn "$dir" munged munged --foreground --socket="$dir/munge/munge.sock" \
    --key-file="$dir/munge/munge.key" --pid-file="$dir/munge/munged.pidfile" \
    --seed-file="$dir/munge/munged.seed" --log-file="$dir/log/munged.log"
  for _ in $(seq 50); do [ -S "$dir/munge/munge.sock" ] && break; sleep 0.1; done
  [ -S "$dir/munge/munge.sock" ] || die "munged did not start: $(tail -n 5 "$dir/log/munged.log")"
  write_conf "$dir"
  spawn "$dir" slurmctld slurmctld -D -i
  spawn "$dir" slurmd slurmd -D
  local state=""
  for _ in $(seq 100); do
    for name in "${DAEMONS[@]}"; do
      alive "$dir/$name.pid" || die "$name exited: $(tail -n 5 "$dir/log/$name"*)"
    done
    state=$(sinfo -h -N -o %T 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.2
  done
  [ "$state" = idle ] || die "the node is not idle after 20 s (state '$state'); see $dir/log"
  echo "slurm.sh: cluster up: node $(hostname -s), partition debug, 2 CPUs;" \
    "munged $(cat "$dir/munged.pid"), slurmctld $(cat "$dir/slurmctld.pid")," \
    "slurmd $(cat "$dir/slurmd.pid")"
}

stop() {
  local dir=$1
  # Jobs left behind (a failed test) would outlive slurmd in their slurmstepd: cancel them
  # while the controller is still up.
  if alive "$dir/slurmctld.pid"; then
    local jobs
    jobs=$(squeue -h -o %i 2>/dev/null || true)
    if [ -n "$jobs" ]; then
      echo "slurm.sh: cancelling jobs left in the queue: $(echo "$jobs" | tr '\n' ' ')"
      # shellcheck disable=SC2086 # one argument per job id
      scancel --full --quiet $jobs || true
      for _ in $(seq 50); do
        [ -z "$(squeue -h -t active -o %i 2>/dev/null)" ] && break
        sleep 0.2
      done
    fi
  fi
  for name in "${DAEMONS[@]}"; do
    local pidfile=$dir/$name.pid
    alive "$pidfile" || continue
    local pid
    pid=$(cat "$pidfile")
    kill -TERM "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "slurm.sh: $name ($pid) ignored SIGTERM for 5 s: SIGKILL" >&2
      kill -KILL "$pid" || true
    fi
  done
  if [ -e "$CONF" ] && grep -qxF "$MARKER" "$CONF"; then
    rm -f "$CONF"
  fi
  echo "slurm.sh: cluster stopped"
}

case "${1:-}" in
install) install_packages ;;
start) start "${2:?usage: slurm.sh start DIR}" ;;
stop) stop "${2:?usage: slurm.sh stop DIR}" ;;
*) die "usage: slurm.sh install | start DIR | stop DIR" ;;
esac
