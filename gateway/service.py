"""The HTTP gateway: one nameko service whose routes (one mixin per audience and area) call the
services over RPC. Run: ``casework serve gateway``."""

from casework.rpc import ServiceClients

from .auth import Auth, RequestContext
from .routes.admin import AdminRoutes
from .routes.auth import AuthRoutes
from .routes.invitations import InvitationRoutes
from .routes.operator import OperatorRoutes
from .routes.ops import OpsRoutes
from .routes.portal import PortalIdentityRoutes, PortalSchedulingRoutes
from .routes.public import PublicRoutes
from .routes.records import RecordRoutes
from .routes.requests import RequestRoutes
from .routes.scheduling import SchedulingRoutes


class GatewayService(OpsRoutes, RecordRoutes, OperatorRoutes, AuthRoutes, AdminRoutes,
                     PortalIdentityRoutes, PortalSchedulingRoutes, InvitationRoutes, PublicRoutes,
                     SchedulingRoutes, RequestRoutes):
    name = "gateway"

    rpc = ServiceClients()
    auth = Auth()
    request_context = RequestContext()
