"""The gateway sends without Nagle's algorithm: without TCP_NODELAY the end of every response
larger than a few segments waited for the client's delayed acknowledgement (a page of 50
search results took 60 ms where one took 14 ms). Linux gives accepted connections the option
of the listening socket."""

import socket

import requests

from gateway.web import CaseworkWebServer


def test_the_gateway_listens_with_tcp_nodelay(start_services, platform_config):
    runner = start_services("gateway")
    (container,) = runner.containers
    (server,) = [e for e in container.extensions if isinstance(e, CaseworkWebServer)]
    assert server._sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    health = requests.get(f"http://{platform_config['WEB_SERVER_ADDRESS']}/health", timeout=5)
    assert health.status_code == 200
