"""``message_recipients`` (BRIEF contract 3): what the notifications service needs of the
clients it messages, one at a time (NOT-5) or by the thousand (NOT-7): each record's kind,
status, portal status, e-mail and name, read with one statement."""

from __future__ import annotations

from casework import callers
from casework.errors import CaseworkError, NotFound
from casework.rpc import rpc
from casework.validation import load
from contracts.messages import MessageRecipientsQuerySchema, MessageRecipientsSchema

from ..queries import recipients

QUERY = MessageRecipientsQuerySchema()
ANSWER = MessageRecipientsSchema()


class RecipientEntrypoints:
    @rpc(expected_exceptions=CaseworkError)
    def message_recipients(self, caller, query):
        """``{group_id}`` or ``{record_ids}`` -> ``{items, missing}``: the agency's live
        records (a group's members by name, or the ids in the order given) and the given ids
        that are not the agency's live records. 404 for an unknown group."""
        caller = callers.staff(caller)
        data = load(QUERY, query)
        org = caller.organization_id
        with self.db.read() as session:
            if data["group_id"] is not None:
                rows = recipients.of_group(session, org, str(data["group_id"]))
                if rows is None:
                    raise NotFound("group not found")
                missing = []
            else:
                wanted = list(dict.fromkeys(str(i) for i in data["record_ids"]))
                rows = recipients.of_records(session, org, wanted)
                found = {str(r["record_id"]) for r in rows}
                missing = [i for i in wanted if i not in found]
        return ANSWER.dump({"items": rows, "missing": missing})
