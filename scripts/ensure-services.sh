#!/usr/bin/env bash
# Make sure PostgreSQL and RabbitMQ (with its management plugin, which nameko's test fixtures use
# for throwaway vhosts) answer where CASEWORK_DATABASE_URL and CASEWORK_AMQP_URI say: on this
# machine by default. Used by `make run`, `make test` (and so .ci/run). On Debian it installs what
# is missing with apt-get (postgresql, rabbitmq-server, python3-venv; as root or through sudo),
# lets local TCP connections into a PostgreSQL it has just installed without a password (the
# default URL has none), starts what is installed but stopped, and enables the management
# plugin. Servers on another host are left alone. With CASEWORK_ENSURE_CHROMIUM=1 (`make test`)
# it also installs Debian's chromium and chromium-driver where missing: the browser tests of the
# web front end (tests/web) drive that Chromium. CASEWORK_ENSURE_SERVICES_DRY_RUN=1 prints
# the commands that would change the machine instead of running them.
set -euo pipefail

DRY_RUN=${CASEWORK_ENSURE_SERVICES_DRY_RUN:-}
DATABASE_URL=${CASEWORK_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/casework}
AMQP_URI=${CASEWORK_AMQP_URI:-pyamqp://guest:guest@127.0.0.1:5672/}
MANAGEMENT_PORT=15672

say() { echo "ensure-services: $*"; }

# run a command that changes the machine (as root: directly or through sudo)
as_root() {
  if [ -n "$DRY_RUN" ]; then echo "would run: $*"; return 0; fi
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else say "run as root: $*" >&2; return 1
  fi
}

# "host port" of a URL such as scheme://user:password@host:port/path
host_port() {
  local rest=${1#*://}
  rest=${rest%%/*}
  rest=${rest##*@}
  local host=${rest%%:*} port=${rest##*:}
  [ "$port" = "$rest" ] && port=$2
  echo "${host:-127.0.0.1} $port"
}

is_local() { case "$1" in 127.*|localhost|::1|"") return 0 ;; *) return 1 ;; esac; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  [ -n "$DRY_RUN" ] && return 0
  for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 1; done
  say "nothing answers on port $1" >&2
  return 1
}

read -r db_host db_port <<<"$(host_port "$DATABASE_URL" 5432)"
read -r amqp_host amqp_port <<<"$(host_port "$AMQP_URI" 5672)"
manage_db=; manage_amqp=
if is_local "$db_host"; then manage_db=1; else say "PostgreSQL on $db_host: left alone"; fi
if is_local "$amqp_host"; then manage_amqp=1; else say "RabbitMQ on $amqp_host: left alone"; fi

# 1. install what is missing (Debian)
missing=()
if [ -n "$manage_db" ] && ! port_open "$db_port" && ! command -v pg_ctlcluster >/dev/null; then
  missing+=(postgresql)
fi
if [ -n "$manage_amqp" ] && ! port_open "$amqp_port" && ! command -v rabbitmq-server >/dev/null
then
  missing+=(rabbitmq-server)
fi
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
if [ -n "${CASEWORK_ENSURE_CHROMIUM:-}" ]; then
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
fi
installed_postgresql=
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null && [ -z "$DRY_RUN" ]; then
    say "please install: ${missing[*]} (no apt-get on this machine)" >&2
    exit 1
  fi
  say "installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  [[ " ${missing[*]} " == *" postgresql "* ]] && installed_postgresql=1
fi

# 2. PostgreSQL: trust local TCP connections on a cluster installed just now, start it
if [ -n "$manage_db" ]; then
  version=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null \
            | sort -V | tail -1 || true)
  version=${version:-VERSION}
  if [ -n "$installed_postgresql" ]; then
    hba=/etc/postgresql/$version/main/pg_hba.conf
    say "letting local TCP connections into the new PostgreSQL without a password ($hba)"
    as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    if port_open "$db_port"; then  # the package started it already
      as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload
    fi
  fi
  if ! port_open "$db_port"; then
    if command -v pg_ctlcluster >/dev/null || [ -n "$DRY_RUN" ]; then
      say "starting PostgreSQL"
      as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
    fi
    wait_port "$db_port"
  fi
fi

# 3. RabbitMQ: start it, with the management plugin
if [ -n "$manage_amqp" ]; then
  if ! port_open "$amqp_port"; then
    say "starting RabbitMQ"
    as_root rabbitmq-server -detached
    wait_port "$amqp_port"
  fi
  if ! port_open "$MANAGEMENT_PORT"; then
    say "enabling the RabbitMQ management plugin"
    as_root rabbitmq-plugins enable rabbitmq_management >/dev/null
    wait_port "$MANAGEMENT_PORT"
  fi
fi
