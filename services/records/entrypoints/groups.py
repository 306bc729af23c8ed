"""Groups (REC-7): defined per agency by staff with ``manage_groups`` (or administrators); a
record joins and leaves them one by one from the record, or many at once in bulk."""

from __future__ import annotations

from casework import cursors
from casework.errors import CaseworkError, NotFound, ValidationFailed
from casework.rpc import rpc
from casework.validation import load

from .. import audit, domain, groups, repository
from ..schemas import GroupChoiceSchema, page_schema
from ..schemas_admin import BulkMembersSchema, GroupInSchema, GroupPatchSchema, GroupSchema
from .common import known_id, locked_record, request_id, staff_call, view

group_schema = GroupSchema()


def _group_manager(caller) -> domain.Caller:
    caller, _ = staff_call(caller)
    caller.require(domain.Permission.MANAGE_GROUPS)
    return caller


def _membership(group: dict) -> dict:
    return {"id": str(group["id"]), "name": group["name"]}


class GroupEntrypoints:
    @rpc(expected_exceptions=CaseworkError)
    def list_groups(self, caller, params):
        caller, _ = staff_call(caller)
        page = load(page_schema, params)
        offset = cursors.offset(page["cursor"])
        with self.db.transaction() as uow:
            rows = groups.list_groups(uow.session, caller.organization_id, offset=offset,
                                      limit=page["limit"])
        more = len(rows) > page["limit"]
        return {"items": group_schema.dump(rows[:page["limit"]], many=True),
                "next_cursor": cursors.encode({"o": offset + page["limit"]}) if more else None}

    @rpc(expected_exceptions=CaseworkError)
    def create_group(self, caller, payload):
        caller = _group_manager(caller)
        data = load(GroupInSchema(), payload)
        group_id = repository.new_id()
        with self.db.transaction() as uow:
            groups.create_group(uow.session, caller.organization_id,
                                {**data, "id": group_id, "created_by": caller.user_id})
            return group_schema.dump(groups.get_group(uow.session, caller.organization_id,
                                                      group_id))

    @rpc(expected_exceptions=CaseworkError)
    def update_group(self, caller, group_id, payload):
        caller = _group_manager(caller)
        group_id = known_id(group_id, "group")
        data = load(GroupPatchSchema(), payload)
        with self.db.transaction() as uow:
            if groups.get_group(uow.session, caller.organization_id, group_id) is None:
                raise NotFound("group not found")
            if data:
                groups.change_group(uow.session, caller.organization_id, group_id, data)
            return group_schema.dump(groups.get_group(uow.session, caller.organization_id,
                                                      group_id))

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
        data = load(BulkMembersSchema(), payload)
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
                "results": results}

    @rpc(expected_exceptions=CaseworkError)
    def add_record_to_group(self, caller, record_id, payload):
        """Answers ``{"added": bool, "record": view}``: False when it was a member already."""
        caller, record_id = staff_call(caller, record_id)
        group_id = str(load(GroupChoiceSchema(), payload)["group_id"])
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
        caller, record_id = staff_call(caller, record_id)
        group_id = known_id(group_id, "group")
        org = caller.organization_id
        with self.db.transaction() as uow:
            locked_record(uow.session, caller, record_id)
            group = groups.lock_group(uow.session, org, group_id)
            if group is None or not groups.remove_member(uow.session, org, group_id, record_id):
                raise NotFound("the record is not in this group")
            audit.write(uow.session, caller, org, record_id, "group_removed", {
                "groups": {"old": _membership(group), "new": None}}, request_id(caller, uow))
