"""The complete client record through the gateway: REC-1 (the view, in one statement), REC-2
(images), REC-13 (staff-only notes), REC-14 (warning indicators) and the PATCH of demographics
and custom fields."""

import io
import uuid

from PIL import Image

from tests.e2e.test_records_support import (
    API,
    GIF,
    JPEG,
    PNG,
    WEBP,
    counting_statements,
    create_record,
    publish,
    sql,
)
from tests.fixtures import wait_for

MIB = 1024 * 1024


def assign(session, base, record_id, user_id):
    return session.post(f"{base}{API}/records/{record_id}/navigators", json={"user_id": user_id})


def assign_when_known(session, base, record_id, user_id):
    """Records learns staff users from identity's events: assign once it knows the user."""
    answer = wait_for(lambda: (lambda a: a if a.status_code in (200, 201) else None)(
        assign(session, base, record_id, user_id)))
    assert answer, f"records never learnt staff user {user_id}"
    return answer


def test_rec1_the_record_shows_everything_rec1_lists(gateway_url, staff, platform_config):
    alice = staff()
    base = gateway_url
    client_type = alice.post(f"{base}{API}/client-types", json={"name": "Case Management"}).json()
    risk = alice.post(f"{base}{API}/warning-indicators",
                      json={"name": "Risk to staff", "colour": "#C0392B"}).json()
    group = alice.post(f"{base}{API}/groups", json={"name": "Tuesday group"}).json()
    record = create_record(alice, base, kind="client", email="ada@example.org",
                           client_type_id=client_type["id"], status="prospect")
    record_id = record["id"]
    assert alice.patch(f"{base}{API}/records/{record_id}",
                       json={"warning_indicator_ids": [risk["id"]]}).status_code == 200
    assert alice.post(f"{base}{API}/records/{record_id}/groups",
                      json={"group_id": group["id"]}).status_code == 201
    assign_when_known(alice, base, record_id, alice.user_id)
    assert alice.put(f"{base}{API}/records/{record_id}/image", data=PNG,
                     headers={"Content-Type": "image/png"}).status_code == 200
    amqp = platform_config["AMQP_URI"]
    publish(amqp, "invitations", "invitation_sent", {
        "invitation_id": str(uuid.uuid4()), "record_id": record_id,
        "email": "ada@example.org"}, alice.organization_id)
    publish(amqp, "invitations", "invitation_accepted", {
        "invitation_id": str(uuid.uuid4()), "record_id": record_id,
        "email": "ada@example.org"}, alice.organization_id)

    def linked():
        view = alice.get(f"{base}{API}/records/{record_id}").json()
        return view if view["has_client_account"] and view["invitation"]["sent"] else None

    view = wait_for(linked)
    assert view, "the invitation events never reached the record"
    assert view["name"] == "Ada Lovelace"
    assert view["kind"] == "client"
    assert view["case_number"] == record["case_number"]
    assert view["image_url"] == f"/api/v1/staff/records/{record_id}/image"
    assert view["warning_indicators"] == [
        {"id": risk["id"], "name": "Risk to staff", "colour": "#C0392B", "active": True}]
    assert view["created_at"] == record["created_at"]
    assert view["client_type"] == {"id": client_type["id"], "name": "Case Management",
                                   "active": True}
    assert view["status"] == "prospect"
    assert view["portal_status"] == "active"
    assert view["groups"] == [{"id": group["id"], "name": "Tuesday group"}]
    assert [n["user_id"] for n in view["navigators"]] == [alice.user_id]
    assert view["navigators"][0]["assigned_at"].endswith("Z")
    assert view["invitation"]["email"] == "ada@example.org"
    assert view["invitation"]["sent_at"].endswith("Z")


def test_rec1_the_view_is_one_statement_whatever_the_number_of_related_rows(gateway_url, staff):
    alice = staff()
    base = gateway_url
    bare = create_record(alice, base)["id"]
    busy = create_record(alice, base, first_name="Grace")["id"]
    for n in range(4):
        group = alice.post(f"{base}{API}/groups", json={"name": f"Group {n}"}).json()
        alice.post(f"{base}{API}/records/{busy}/groups", json={"group_id": group["id"]})
    indicators = [alice.post(f"{base}{API}/warning-indicators", json={"name": f"W{n}"}).json()
                  for n in range(4)]
    alice.patch(f"{base}{API}/records/{busy}",
                json={"warning_indicator_ids": [i["id"] for i in indicators]})

    counts = {}
    for name, record_id in (("bare", bare), ("busy", busy)):
        with counting_statements() as statements:
            answer = alice.get(f"{base}{API}/records/{record_id}")
        assert answer.status_code == 200
        counts[name] = len(statements)
    assert len(alice.get(f"{base}{API}/records/{busy}").json()["groups"]) == 4
    assert counts == {"bare": 1, "busy": 1}


def test_rec1_employee_records_are_managed_like_client_records(gateway_url, staff):
    alice = staff()
    base = gateway_url
    employee = create_record(alice, base, kind="employee", first_name="Eve")
    assert employee["kind"] == "employee"
    group = alice.post(f"{base}{API}/groups", json={"name": "Staff rota"}).json()
    assert alice.post(f"{base}{API}/records/{employee['id']}/groups",
                      json={"group_id": group["id"]}).status_code == 201
    closed = alice.put(f"{base}{API}/records/{employee['id']}/status", json={"status": "closed"})
    assert closed.json()["status"] == "closed"
    found = alice.get(f"{base}{API}/records", params={"kind": "employee"}).json()["items"]
    assert [r["id"] for r in found] == [employee["id"]]
    as_client = alice.patch(f"{base}{API}/records/{employee['id']}", json={"kind": "client"})
    assert as_client.json()["kind"] == "client"


def test_rec2_images_are_accepted_by_their_bytes_and_replace_the_old_one(gateway_url, staff):
    alice = staff()
    base = gateway_url
    record_id = create_record(alice, base)["id"]
    url = f"{base}{API}/records/{record_id}/image"
    assert alice.get(url).status_code == 404
    for data, content_type in ((JPEG, "image/jpeg"), (GIF, "image/gif"), (WEBP, "image/webp"),
                               (PNG, "image/png")):
        stored = alice.put(url, data=data, headers={"Content-Type": content_type})
        assert stored.status_code == 200, stored.text
        assert stored.json()["content_type"] == content_type
        fetched = alice.get(url)
        # what is stored is the image re-encoded from its pixels (tests/e2e/test_hardening_input)
        assert stored.json()["byte_size"] == len(fetched.content)
        assert fetched.headers["Content-Type"] == content_type
        assert decoded(fetched.content) == decoded(data)
    # the name or claimed type does not matter, the bytes do
    misnamed = alice.put(url, data=JPEG, headers={"Content-Type": "image/png"})
    assert misnamed.json()["content_type"] == "image/jpeg"
    unknown = alice.put(url, data=GIF, headers={"Content-Type": "application/octet-stream"})
    assert unknown.json()["content_type"] == "image/gif"
    assert decoded(alice.get(url).content) == ("GIF", (2, 2))


def decoded(data: bytes) -> tuple[str, tuple[int, int]]:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.format, image.size


def test_rec2_anything_but_a_small_enough_image_is_refused_clearly(gateway_url, staff):
    alice = staff()
    base = gateway_url
    record_id = create_record(alice, base)["id"]
    url = f"{base}{API}/records/{record_id}/image"
    for data, content_type in ((b"<svg onload=alert(1)>", "image/png"),
                               (b"%PDF-1.7 not an image", "application/octet-stream"),
                               (b"", "image/png"), (PNG, "application/json"),
                               (PNG, "text/plain")):
        refused = alice.put(url, data=data, headers={"Content-Type": content_type})
        assert refused.status_code == 415, (data[:10], content_type, refused.text)
        assert refused.json()["code"] == "unsupported_media_type"
    too_large = alice.put(url, data=PNG + bytes(5 * MIB), headers={"Content-Type": "image/png"})
    assert too_large.status_code == 413
    assert too_large.json()["code"] == "payload_too_large"
    assert alice.get(url).status_code == 404  # nothing refused was stored
    at_limit = PNG + bytes(5 * MIB - len(PNG))  # what follows the image is not kept
    assert alice.put(url, data=at_limit,
                     headers={"Content-Type": "image/png"}).json()["byte_size"] < 1024


def test_rec13_notes_are_for_the_agencys_staff_only(gateway_url, staff, engine):
    alice = staff()
    base = gateway_url
    record_id = create_record(alice, base)["id"]
    notes = f"{base}{API}/records/{record_id}/notes"
    assert alice.get(notes).json()["body"] == ""
    saved = alice.put(notes, json={"body": "Prefers afternoon calls."})
    assert saved.status_code == 200 and saved.json()["updated_by"] == alice.user_id
    assert alice.get(notes).json()["body"] == "Prefers afternoon calls."
    colleague = staff(permissions=(), organization_id=alice.organization_id)
    assert colleague.get(notes).json()["body"] == "Prefers afternoon calls."

    view = alice.get(f"{base}{API}/records/{record_id}").json()
    listed = alice.get(f"{base}{API}/records").json()["items"]
    assert "afternoon" not in str(view) and "afternoon" not in str(listed)
    outsider = staff()
    assert outsider.get(notes).status_code == 404
    assert outsider.put(notes, json={"body": "x"}).status_code == 404
    assert alice.put(notes, json={"body": "x" * 20001}).status_code == 422
    changes = sql(engine, "SELECT changes FROM records.audit_entries WHERE record_id = :r"
                  " AND action = 'notes_changed'", r=record_id)
    assert changes == [({"notes": {"old": "", "new": "Prefers afternoon calls."}},)]


def test_rec14_warning_indicators_are_the_agencys_and_chosen_per_record(gateway_url, staff):
    alice = staff()
    base = gateway_url
    colleague = staff(permissions=(), organization_id=alice.organization_id)
    assert colleague.post(f"{base}{API}/warning-indicators",
                          json={"name": "Nope"}).status_code == 403
    fall = alice.post(f"{base}{API}/warning-indicators", json={"name": "Falls risk"}).json()
    allergy = alice.post(f"{base}{API}/warning-indicators", json={"name": "Allergy"}).json()
    theirs = staff()
    foreign = theirs.post(f"{base}{API}/warning-indicators", json={"name": "Other"}).json()
    record_id = create_record(alice, base)["id"]
    url = f"{base}{API}/records/{record_id}"

    chosen = colleague.patch(url, json={"warning_indicator_ids": [fall["id"], allergy["id"]]})
    assert chosen.status_code == 200
    assert [w["name"] for w in chosen.json()["warning_indicators"]] == ["Allergy", "Falls risk"]
    refused = colleague.patch(url, json={"warning_indicator_ids": [foreign["id"]]})
    assert refused.status_code == 422 and "warning_indicator_ids" in refused.json()["errors"]

    # in use: deleting deactivates it; it stays on the record but cannot be newly chosen
    deactivated = alice.delete(f"{base}{API}/warning-indicators/{fall['id']}")
    assert deactivated.status_code == 200 and deactivated.json()["active"] is False
    kept = colleague.patch(url, json={"warning_indicator_ids": [fall["id"]]})
    assert kept.status_code == 200
    assert [(w["name"], w["active"]) for w in kept.json()["warning_indicators"]] == [
        ("Falls risk", False)]
    other = create_record(alice, base, first_name="Grace")["id"]
    assert colleague.patch(f"{base}{API}/records/{other}", json={
        "warning_indicator_ids": [fall["id"]]}).status_code == 422
    unused = alice.post(f"{base}{API}/warning-indicators", json={"name": "Unused"}).json()
    assert alice.delete(f"{base}{API}/warning-indicators/{unused['id']}").status_code == 204
    names = [w["name"] for w in colleague.get(f"{base}{API}/warning-indicators").json()["items"]]
    assert names == ["Allergy", "Falls risk"]
    assert alice.post(f"{base}{API}/warning-indicators",
                      json={"name": "Allergy"}).json()["code"] == "duplicate_name"


def test_patch_changes_demographics_and_merges_custom_fields(gateway_url, staff, engine):
    alice = staff()
    base = gateway_url
    record = create_record(alice, base, custom_fields={"school": "Hill Road", "year": 7})
    url = f"{base}{API}/records/{record['id']}"
    patched = alice.patch(url, json={
        "last_name": "Byron", "email": "ada@byron.example",
        "phones": [{"type": "home", "number": "+44 20 7946 0999"}],
        "custom_fields": {"year": 8, "school": None, "tutor": "Mr Babbage"}})
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == "Ada Byron"
    assert patched.json()["custom_fields"] == {"year": 8, "tutor": "Mr Babbage"}
    for q in ("byron", "byronn", "7946 0999", "ada@byron"):
        found = alice.get(f"{base}{API}/records", params={"q": q}).json()["items"]
        assert [r["id"] for r in found] == [record["id"]], q
    assert alice.patch(url, json={"custom_fields": {"x": {"nested": 1}}}).status_code == 422
    assert alice.patch(url, json={"case_number": "X"}).status_code == 422
    unchanged = alice.patch(url, json={"last_name": "Byron"})
    assert unchanged.json()["updated_at"] == patched.json()["updated_at"]
    # at most 50 custom fields on the record, however many requests bring them
    more = {f"extra_{i}": i for i in range(47)}
    assert alice.patch(url, json={"custom_fields": more}).status_code == 200  # 2 + 47
    too_many = alice.patch(url, json={"custom_fields": {"one": 1, "two": 2}})
    assert too_many.status_code == 422 and too_many.json()["code"] == "validation_error"
    dropped = alice.patch(url, json={"custom_fields": {**dict.fromkeys(more), "one": 1}})
    assert dropped.json()["custom_fields"] == {"year": 8, "tutor": "Mr Babbage", "one": 1}

    audit = sql(engine, "SELECT changes FROM records.audit_entries WHERE record_id = :r"
                " AND action = 'record_updated'", r=record["id"])
    assert len(audit) == 3  # the change above, 47 fields added, 47 removed and one added
    assert audit[0][0]["last_name"] == {"old": "Lovelace", "new": "Byron"}
    assert audit[0][0]["custom_fields"]["new"] == {"year": 8, "tutor": "Mr Babbage"}
    events = sql(engine, "SELECT payload FROM records.outbox WHERE routing_key = 'record_updated'"
                 " AND payload->'data'->>'record_id' = :r ORDER BY id", r=record["id"])
    assert [e[0]["data"]["changed_fields"] for e in events] == [
        ["custom_fields", "email", "last_name", "phones"], ["custom_fields"], ["custom_fields"]]
