"""The platform's contracts: every RPC request and reply, list page and event payload of each
service, declared once as marshmallow schemas, one module per service (``contracts.records``,
``contracts.identity``, ...), plus ``contracts.external`` for what other systems publish.

The gateway validates HTTP bodies with these classes, builds the OpenAPI document from them and
forwards what it loaded; the service loads the same classes again (no service trusts its callers)
and dumps its replies with them; ``uow.emit`` checks event data against the declared schema and
``@consumes`` hands handlers data loaded with it. This package depends on marshmallow and the
kernel (``casework``) only: no service code, no SQLAlchemy, no nameko.
"""
