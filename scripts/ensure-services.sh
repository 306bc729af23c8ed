#!/usr/bin/env bash
# Make sure PostgreSQL and RabbitMQ (with its management plugin, which nameko's test fixtures use
# for throwaway vhosts) answer on their default local ports. Starts them if they are installed on
# this machine but stopped; leaves remote servers (CASEWORK_* pointing elsewhere) alone.
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() {
  for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 1; done
  echo "ensure-services: nothing answers on port $1" >&2; return 1
}

if ! port_open 5432; then
  if command -v pg_ctlcluster >/dev/null; then
    echo "ensure-services: starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  fi
  wait_port 5432
fi

if ! port_open 5672; then
  if command -v rabbitmq-server >/dev/null; then
    echo "ensure-services: starting RabbitMQ"
    rabbitmq-server -detached
  fi
  wait_port 5672
fi

if ! port_open 15672; then
  if command -v rabbitmq-plugins >/dev/null; then
    echo "ensure-services: enabling the RabbitMQ management plugin"
    rabbitmq-plugins enable rabbitmq_management >/dev/null
  fi
  wait_port 15672
fi
