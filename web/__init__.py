"""The web front ends: the staff console (``/staff/``) and the client portal (``/portal/``),
server-rendered pages on the gateway's HTTP API and nothing else (no RPC, no service's database).

One process (``casework serve web``, gunicorn with threads) on ``CASEWORK_WEB_PORT`` (8000):
pages, their vendored assets, and the gateway's own paths (``/api/``, ``/health``, ``/ready``,
``/metrics``) forwarded to the gateway, so that ``http://127.0.0.1:8000/api/v1/...`` keeps
working for scripts and curl. Sessions are kept server-side in PostgreSQL (schema ``web``): the
browser holds only an opaque id in an HttpOnly cookie; the API token never reaches a page.
"""
