"""Groups (REC-7): defined per agency by staff with ``manage_groups`` (or administrators); a
record joins and leaves them one by one from the record, or many at once in bulk."""

from __future__ import annotations

from casework import cursors
from casework.callers import StaffCaller, known_id, staff
from casework.dumping import page_dumper
from casework.errors import CaseworkError, NotFound, ValidationFailed
from casework.rpc import rpc
from casework.validation import load
from contracts.common import ListQuerySchema
from contracts.records import (
    BulkMembersBodySchema,
    BulkResultSchema,
    GroupBodySchema,
    GroupCreateSchema,
    GroupPatchSchema,
    GroupSchema,
)

from .. import domain
from ..queries import audit, groups, records
from .common import locked_record, one_dumper, request_id, view

list_query, group_choice = ListQuerySchema(), GroupBodySchema()
create_schema, patch_schema, bulk_schema = (GroupCreateSchema(), GroupPatchSchema(),
                                            BulkMembersBodySchema())
dump_groups, dump_group = page_dumper(GroupSchema()), one_dumper(GroupSchema())
dump_results = page_dumper(BulkResultSchema())  # up to 20,000 a call (QUALITY P5)


def _group_manager(caller) -> StaffCaller:
    caller = staff(caller)
    caller.require(domain.Permission.MANAGE_GROUPS)
    return caller


def _membership(group: dict) -> dict:
    return {"id": str(group["id"]), "name": group["name"]}


class GroupEntrypoints:
    @rpc(expected_exceptions=CaseworkError)
    def list_groups(self, caller, params):
        caller = staff(caller)
        page = load(list_query, params)
        offset = cursors.offset(page["cursor"])
        with self.db.read() as session:
            rows = groups.list_groups(session, caller.organization_id, offset=offset,
                                      limit=page["limit"])
        items, next_cursor = cursors.offset_page(rows, offset, page["limit"])
        return {"items": dump_groups(items), "next_cursor": next_cursor}

    @rpc(expected_exceptions=CaseworkError)
    def create_group(self, caller, payload):
        caller = _group_manager(caller)
        data = load(create_schema, payload)
        group_id = records.new_id()
        with self.db.transaction() as uow:
            groups.create_group(uow.session, caller.organization_id,
                                {**data, "id": group_id, "created_by": caller.user_id})
            return dump_group(groups.get_group(uow.session, caller.organization_id, group_id))

    @rpc(expected_exceptions=CaseworkError)
    def update_group(self, caller, group_id, payload):
        caller = _group_manager(caller)
        group_id = known_id(group_id, "group")
        data = load(patch_schema, payload)
        with self.db.transaction() as uow:
            if groups.get_group(uow.session, caller.organization_id, group_id) is None:
                raise NotFound("group not found")
            if data:
                groups.change_group(uow.session, caller.organization_id, group_id, data)
            return dump_group(groups.get_group(uow.session, caller.organization_id, group_id))

    @rpc(expected_exceptions=CaseworkError)
    def delete_group(self, caller, group_id):
        """The group goes; its members' records each keep an audit row of leaving it."""
        caller = _group_manager(caller)
        group_id = known_id(group_id, "group")
        with self.db.transaction() as uow:
            if groups.lock_group(uow.session, caller.organization_id, group_id) is None:
                raise NotFound("group not found")
            groups.delete_group(uow.session, caller.organization_id, group_id, caller.user_id,
                                request_id(caller, uow))

    @rpc(expected_exceptions=CaseworkError)
    def bulk_group_members(self, caller, group_id, payload):
        """Many records join or leave at once, with a result per record: one statement per
        direction whatever the number of records (QUALITY P5)."""
        caller = _group_manager(caller)
        group_id = known_id(group_id, "group")
        data = load(bulk_schema, payload)
        add, remove = domain.check_bulk([str(i) for i in data["add"]],
                                        [str(i) for i in data["remove"]])
        org = caller.organization_id
        with self.db.transaction() as uow:
            group = groups.lock_group(uow.session, org, group_id)
            if group is None:
                raise NotFound("group not found")
            rid = request_id(caller, uow)
            results = groups.bulk_change(uow.session, groups.BULK_ADD, org, group, add,
                                         caller.user_id, rid, "group_added")
            results += groups.bulk_change(uow.session, groups.BULK_REMOVE, org, group, remove,
                                          caller.user_id, rid, "group_removed")
        return {"added": sum(r["outcome"] == "added" for r in results),
                "removed": sum(r["outcome"] == "removed" for r in results),
                "results": dump_results(results)}

    @rpc(expected_exceptions=CaseworkError)
    def add_record_to_group(self, caller, record_id, payload):
        """Answers ``{"added": bool, "record": view}``: False when it was a member already."""
        caller, record_id = staff(caller), known_id(record_id)
        group_id = str(load(group_choice, payload)["group_id"])
        org = caller.organization_id
        with self.db.transaction() as uow:
            locked_record(uow.session, caller, record_id)
            group = groups.lock_group(uow.session, org, group_id)
            if group is None:
                raise ValidationFailed("unknown group", {"group_id": [
                    "not a group of this agency"]})
            added = groups.add_member(uow.session, org, group_id, record_id, caller.user_id)
            if added:
                audit.write(uow.session, caller, org, record_id, "group_added", {
                    "groups": {"old": None, "new": _membership(group)}}, request_id(caller, uow))
            return {"added": added, "record": view(uow.session, caller, record_id)}

    @rpc(expected_exceptions=CaseworkError)
    def remove_record_from_group(self, caller, record_id, group_id):
        caller, record_id = staff(caller), known_id(record_id)
        group_id = known_id(group_id, "group")
        org = caller.organization_id
        with self.db.transaction() as uow:
            locked_record(uow.session, caller, record_id)
            group = groups.lock_group(uow.session, org, group_id)
            if group is None or not groups.remove_member(uow.session, org, group_id, record_id):
                raise NotFound("the record is not in this group")
            audit.write(uow.session, caller, org, record_id, "group_removed", {
                "groups": {"old": _membership(group), "new": None}}, request_id(caller, uow))
