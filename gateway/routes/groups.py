"""Staff routes of an agency's groups (REC-7): everyone lists them; staff with
``manage_groups`` (or administrators) define them and change their members in bulk."""

from __future__ import annotations

from contracts.common import ListQuerySchema
from contracts.records import (
    BulkMembersBodySchema,
    BulkMembersSchema,
    GroupCreateSchema,
    GroupPageSchema,
    GroupPatchSchema,
    GroupSchema,
)

from ..routing import route

GROUPS = "/api/v1/staff/groups"


class GroupRoutes:
    @route("GET", GROUPS, audience="staff", query=ListQuerySchema(),
           responses={200: GroupPageSchema}, tag="groups")
    def list_groups(self, call, query):
        """The agency's groups with their member counts."""
        return self.rpc.records.list_groups(call.caller, query)

    @route("POST", GROUPS, audience="staff", permission="manage_groups",
           body=GroupCreateSchema(), responses={201: GroupSchema}, errors=(409,), tag="groups")
    def create_group(self, call, body):
        """Define a group; 409 ``duplicate_name``."""
        return 201, self.rpc.records.create_group(call.caller, body)

    @route("PATCH", f"{GROUPS}/<group_id>", audience="staff", permission="manage_groups",
           body=GroupPatchSchema(), responses={200: GroupSchema}, errors=(409,), tag="groups")
    def update_group(self, call, group_id, body):
        """Rename or describe a group."""
        return self.rpc.records.update_group(call.caller, group_id, body)

    @route("DELETE", f"{GROUPS}/<group_id>", audience="staff", permission="manage_groups",
           responses={204: None}, tag="groups")
    def delete_group(self, call, group_id):
        """Delete a group; its members leave it (each record's audit trail says so)."""
        self.rpc.records.delete_group(call.caller, group_id)
        return 204, None

    @route("POST", f"{GROUPS}/<group_id>/members/bulk", audience="staff",
           permission="manage_groups", body=BulkMembersBodySchema(),
           responses={200: BulkMembersSchema}, tag="groups")
    def bulk_group_members(self, call, group_id, body):
        """Add and remove many records at once (up to 10,000 each), with a result per record:
        added/removed, unchanged (already_member, not_member) or failed (not_found)."""
        return self.rpc.records.bulk_group_members(call.caller, group_id, body)
