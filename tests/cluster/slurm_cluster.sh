#!/usr/bin/env bash
# A real single-node SLURM cluster for the cluster tests (ctest fixture): munged + slurmctld +
# slurmd on localhost, all state in one scratch folder, nothing in /etc, ports from the environment
# (GWB_SLURMCTLD_PORT, GWB_SLURMD_PORT) or probed free. Needs root and Debian's slurmctld slurmd
# slurm-client munge; without them `start` exits 77 (skip) and writes why to SCRATCH/unavailable.
# `stop` cancels every job, waits for an empty queue, then ends the daemons and any stray
# slurmstepd or job process of this cluster by PID (never by name), leaving nothing running.
#   slurm_cluster.sh start SCRATCH | stop SCRATCH | status SCRATCH
set -uo pipefail

cmd="${1:-}"
scratch="${2:-}"
if [ -z "$cmd" ] || [ -z "$scratch" ]; then
  echo "usage: $0 start|stop|status SCRATCH" >&2
  exit 2
fi
scratch="$(realpath -m "$scratch")"
conf="$scratch/slurm.conf"
export SLURM_CONF="$conf"

log() { echo "slurm_cluster: $*" >&2; }

# True while PID is a live process (a zombie counts as gone: only PID 1 can reap it).
alive() {
  local state
  [ -r "/proc/$1/stat" ] || return 1
  state="$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$1/stat" 2>/dev/null)" || return 1
  [ -n "$state" ] && [ "$state" != "Z" ] && [ "$state" != "X" ]
}

# Waits up to $2 seconds (tenths allowed) for PID $1 to be gone.
wait_gone() {
  local pid="$1" tenths
  tenths="$(awk -v s="$2" 'BEGIN { printf "%d", s * 10 }')"
  for ((i = 0; i < tenths; i++)); do
    alive "$pid" || return 0
    sleep 0.1
  done
  ! alive "$pid"
}

# Ends PID $1 (named $2): SIGTERM, then SIGKILL after $3 seconds.
end_pid() {
  local pid="$1" name="$2" grace="${3:-10}"
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null
  if ! wait_gone "$pid" "$grace"; then
    log "$name ($pid) ignored SIGTERM for ${grace}s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null
    wait_gone "$pid" 5 || log "$name ($pid) is still there"
  fi
}

# PIDs of processes of this cluster that the daemons leave behind: slurmstepd and job processes,
# recognised by SLURM_CONF=<our conf> in their environment (slurmd passes it on; jobs inherit the
# submitter's). The calling shell and its ancestors are left out.
cluster_strays() {
  local keep=" $$ " p=$$ pid comm vars
  while [ "$p" -gt 1 ] 2>/dev/null; do
    p="$(awk '{ print $4 }' "/proc/$p/stat" 2>/dev/null)" || break
    keep+="$p "
  done
  for env in /proc/[0-9]*/environ; do
    pid="${env#/proc/}"
    pid="${pid%/environ}"
    case "$keep" in *" $pid "*) continue ;; esac
    alive "$pid" || continue
    vars="$( { tr '\0' '\n' <"$env"; } 2>/dev/null)" || continue
    grep -qxF "SLURM_CONF=$conf" <<<"$vars" || continue
    comm="$(cat "/proc/$pid/comm" 2>/dev/null)"
    if [ "$comm" = slurmstepd ] || grep -q '^SLURM_JOB_ID=' <<<"$vars"; then
      echo "$pid"
    fi
  done
}

stop_cluster() {
  [ -d "$scratch" ] || return 0
  local ctld="" slurmd_pid="" munged_pid=""
  [ -f "$scratch/pids/slurmctld" ] && ctld="$(cat "$scratch/pids/slurmctld")"
  [ -f "$scratch/pids/slurmd" ] && slurmd_pid="$(cat "$scratch/pids/slurmd")"
  [ -f "$scratch/pids/munged" ] && munged_pid="$(cat "$scratch/pids/munged")"
  # Cancel every job and wait for an empty queue while the daemons still run (a slurmstepd left
  # behind ignores SIGTERM). Clients hang ~9 s against a dead controller: skip them then.
  if [ -n "$ctld" ] && alive "$ctld" && [ -f "$conf" ]; then
    local jobs
    jobs="$(timeout 10 squeue -h -o %A 2>/dev/null | sort -u)"
    if [ -n "$jobs" ]; then
      # shellcheck disable=SC2086
      timeout 10 scancel $jobs 2>/dev/null
      for ((i = 0; i < 300; i++)); do
        [ -z "$(timeout 10 squeue -h -o %A 2>/dev/null)" ] && break
        sleep 0.1
      done
    fi
  fi
  [ -n "$slurmd_pid" ] && end_pid "$slurmd_pid" slurmd 10
  [ -n "$ctld" ] && end_pid "$ctld" slurmctld 10
  local stray
  for stray in $(cluster_strays); do
    log "stray $(cat "/proc/$stray/comm" 2>/dev/null) ($stray): SIGKILL"
    kill -KILL "$stray" 2>/dev/null
    wait_gone "$stray" 5
  done
  [ -n "$munged_pid" ] && end_pid "$munged_pid" munged 5
  if [ -f "$scratch/munge/socket-dir" ]; then
    local socket_dir
    socket_dir="$(cat "$scratch/munge/socket-dir")"
    case "$socket_dir" in /tmp/gwb-munge.*) rm -rf "$socket_dir" ;; esac
    rm -f "$scratch/munge/socket-dir"
  fi
  rm -f "$scratch/pids/"* "$scratch/ready"
  local left="" pid
  for pid in $slurmd_pid $ctld $munged_pid $(cluster_strays); do
    alive "$pid" && left+=" $pid"
  done
  if [ -n "$left" ]; then
    log "still running:$left"
    return 1
  fi
}

# Local TCP ports in use (listening or connected), from /proc/net/tcp{,6}: no iproute2 needed.
ports_in_use() {
  local _ address rest
  for table in /proc/net/tcp /proc/net/tcp6; do
    [ -r "$table" ] || continue
    while read -r _ address rest; do
      case "$address" in *:*) echo $((16#${address##*:})) ;; esac
    done < <(tail -n +2 "$table")
  done | sort -un
}

# Two consecutive free ports at or above $1.
free_port_pair() {
  local used port
  used=" $(ports_in_use | tr '\n' ' ') "
  for ((port = $1; port < 65000; port += 2)); do
    case "$used" in *" $port "* | *" $((port + 1)) "*) continue ;; esac
    echo "$port $((port + 1))"
    return 0
  done
  return 1
}

unavailable() {
  mkdir -p "$scratch"
  echo "$*" >"$scratch/unavailable"
  log "cannot start a cluster: $* (the cluster tests skip)"
  exit 77
}

start_cluster() {
  local t0
  t0="$(date +%s.%N)"
  stop_cluster  # a cluster left by an interrupted run
  rm -rf "$scratch"
  mkdir -p "$scratch"
  [ "$(id -u)" -eq 0 ] || unavailable "not root (munged and slurmd need root here)"
  local tool missing=()
  for tool in munged mungekey munge unmunge slurmctld slurmd sinfo sbatch squeue scontrol scancel; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing+=("$tool")
  done
  [ "${#missing[@]}" -eq 0 ] ||
    unavailable "missing ${missing[*]} (apt-get install slurmctld slurmd slurm-client munge)"
  export PATH="$PATH:/usr/sbin:/sbin"

  mkdir -p "$scratch"/{munge,state,spool,log,pids}
  chmod 755 "$scratch" "$scratch/munge"
  # munged wants every folder above its socket world-executable, which a build tree under a 0700
  # home is not, and socket paths are short: the socket lives in a folder of its own under /tmp.
  local socket_dir
  socket_dir="$(mktemp -d /tmp/gwb-munge.XXXXXX)" || { log "mktemp failed"; return 1; }
  chmod 755 "$socket_dir"
  echo "$socket_dir" >"$scratch/munge/socket-dir"
  local socket="$socket_dir/munge.socket"

  local ctld_port="${GWB_SLURMCTLD_PORT:-}" slurmd_port="${GWB_SLURMD_PORT:-}" pair
  if [ -z "$ctld_port" ] || [ -z "$slurmd_port" ]; then
    pair="$(free_port_pair $((20000 + RANDOM % 20000)))" || { log "no free ports"; return 1; }
    read -r ctld_port slurmd_port <<<"$pair"
  else
    local used
    used=" $(ports_in_use | tr '\n' ' ') "
    case "$used" in *" $ctld_port "* | *" $slurmd_port "*)
      log "port $ctld_port or $slurmd_port is in use: another cluster there would answer for this one"
      return 1 ;;
    esac
  fi

  mungekey -c -f -k "$scratch/munge/munge.key" >/dev/null 2>&1 || { log "mungekey failed"; return 1; }
  chmod 600 "$scratch/munge/munge.key"
  setsid munged -F --socket="$socket" --key-file="$scratch/munge/munge.key" \
    --pid-file="$scratch/munge/munged.pid" --seed-file="$scratch/munge/munge.seed" \
    --log-file="$scratch/log/munged.log" </dev/null >"$scratch/log/munged.out" 2>&1 &
  echo $! >"$scratch/pids/munged"
  for ((i = 0; i < 100; i++)); do
    [ -S "$socket" ] && break
    sleep 0.05
  done
  if ! munge -S "$socket" -n 2>/dev/null | unmunge -S "$socket" >/dev/null 2>&1; then
    log "munged does not answer on $socket: $(tail -n 3 "$scratch/log/munged.out" "$scratch/log/munged.log" 2>/dev/null)"
    return 1
  fi

  # The node as slurmd sees it (CPUs, sockets, cores, threads), with a small RealMemory.
  local topology
  topology="$(slurmd -C 2>/dev/null | head -n 1 | tr ' ' '\n' |
    grep -E '^(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore)=' | tr '\n' ' ')"
  cat >"$conf" <<EOF
# Written by tests/cluster/slurm_cluster.sh: a single-node test cluster, state in $scratch.
ClusterName=gwbtest
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$scratch/state
SlurmdSpoolDir=$scratch/spool
SlurmctldPidFile=$scratch/slurmctld.pid
SlurmdPidFile=$scratch/slurmd.pid
SlurmctldLogFile=$scratch/log/slurmctld.log
SlurmdLogFile=$scratch/log/slurmd.log
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerParameters=batch_sched_delay=0
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
ReturnToService=2
MinJobAge=600
KillWait=30
NodeName=localhost NodeAddr=127.0.0.1 ${topology}RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
  # A configuration whose controller is down (nothing listens on its port), for the tests of a
  # clear error within seconds.
  local dead
  dead="$(free_port_pair $((ctld_port + 2)))" || dead="1 2"
  sed -E "s/^SlurmctldPort=.*/SlurmctldPort=${dead%% *}/" "$conf" >"$scratch/slurm-down.conf"

  setsid slurmctld -D -c </dev/null >"$scratch/log/slurmctld.out" 2>&1 &
  echo $! >"$scratch/pids/slurmctld"
  setsid slurmd -D -N localhost </dev/null >"$scratch/log/slurmd.out" 2>&1 &
  echo $! >"$scratch/pids/slurmd"
  local state=""
  for ((i = 0; i < 300; i++)); do
    state="$(timeout 5 sinfo -h -N -o %t 2>/dev/null | head -n 1)"
    [ "$state" = idle ] && break
    if ! alive "$(cat "$scratch/pids/slurmctld")" || ! alive "$(cat "$scratch/pids/slurmd")"; then
      break
    fi
    sleep 0.1
  done
  if [ "$state" != idle ]; then
    log "the node did not become idle (sinfo: '${state}'); logs:"
    tail -n 5 "$scratch"/log/slurmctld.* "$scratch"/log/slurmd.* >&2 2>/dev/null
    return 1
  fi
  local seconds
  seconds="$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')"
  printf 'SLURM_CONF=%s\nSLURM_CONF_DOWN=%s\nSTARTUP_S=%s\n' "$conf" "$scratch/slurm-down.conf" \
    "$seconds" >"$scratch/ready"
  log "up in ${seconds}s: slurmctld port $ctld_port, slurmd port $slurmd_port, SLURM_CONF=$conf"
}

case "$cmd" in
  start)
    if ! start_cluster; then
      stop_cluster
      exit 1
    fi
    ;;
  stop)
    stop_cluster || exit 1
    log "stopped"
    ;;
  status)
    [ -f "$scratch/ready" ] && cat "$scratch/ready" && timeout 10 sinfo -N
    ;;
  *)
    echo "usage: $0 start|stop|status SCRATCH" >&2
    exit 2
    ;;
esac
