"""The staff console's record workflows in a browser (REC-1 to REC-15, INV-3): staff create a
record (its possible duplicates first), change everything on its page, add records to a group
one by one and in bulk, assign navigators, add contacts search first, keep staff-only notes,
read the audit trail, resend the invitation, ban from the portal, delete (confirmed; refused
with payments) and restore. axe on every page and state; every result checked through the API."""

from __future__ import annotations

import datetime
import uuid

from tests.e2e.test_portal_invitations import STAFF, record
from tests.e2e.test_records_navigators import assign_when_known
from tests.fixtures import wait_for
from tests.web.test_messages import staff_member
from tests.web.test_pages import accepted_token
from tests.web.test_seed_workflow import agency, credentials


def made(answer, status=201) -> dict:
    assert answer.status_code == status, answer.text
    return answer.json()


def test_rec1_create_a_record_and_change_everything_on_its_page(web_url, gateway_url, browser):
    url = gateway_url
    admin = agency(url)
    existing = record(url, admin, first_name="Marguerite", last_name="Okonkwo")
    taken = record(url, admin, first_name="Taken", last_name="Number", case_number="TAKEN-1")
    made(admin.post(f"{url}{STAFF}/client-types", json={"name": "Direct service"}))
    group = made(admin.post(f"{url}{STAFF}/groups", json={"name": "Housing first"}))
    suffix = uuid.uuid4().hex[:6]
    member = staff_member(url, admin, "Nadia", f"Navigator {suffix}")
    # records learns staff users by events: the page's list comes from identity at once
    probe = record(url, admin)
    assign_when_known(admin, url, probe["id"], member.user_id)

    result = browser("records_create_and_edit", web_url=web_url, **credentials(admin),
                     existing_email=existing["email"], taken_case_number=taken["case_number"],
                     client_type="Direct service")
    rid = result["record_id"]
    organised = browser("records_organise", web_url=web_url, **credentials(admin),
                        record_id=rid, group="Housing first", navigator_id=member.user_id,
                        name="Tobias Lindqvist-Abara")
    seen = {**result["seen"], **organised["seen"]}
    assert "Enter the first name" in seen["empty"] and "Enter the last name" in seen["empty"]
    assert f"Open Marguerite Okonkwo ({existing['case_number']})" in seen["duplicates"]
    assert "same e-mail address" in seen["duplicates"]
    assert seen["opened_duplicate"] == "Marguerite Okonkwo"
    assert seen["bad_date"] == ["Enter a real date of birth in the past, like 27 3 1985"]
    assert seen["created"].startswith("Record created for Tobias Lindqvist-Abara")
    assert seen["taken"] == "Error:\nThis case number is already used by another record of " \
        "the agency. Choose another one."
    assert seen["case_number"] == "Case number changed to TL-2026-01."
    assert seen["status"] == "Record status changed to inactive."
    assert seen["bad_details"] == [
        "Enter an e-mail address in the right format, like name@example.org",
        "Enter a phone number of digits, spaces and ()-., like 07700 900123"]
    assert "+44 20 7946 0123" in seen["summary"] and "07700 900123 (work)" in seen["summary"]
    assert seen["bad_image"] == ["The file must be a JPEG, PNG, GIF or WebP image"]
    assert seen["image_width"] == 700  # 1.5 MB: above the site's usual form limit
    assert "Housing first" in seen["groups"]
    assert f"Nadia Navigator {suffix}" in seen["navigators"]
    assert seen["notes"].index("Brother is") < seen["notes"].index("Prefers calls")
    assert seen["notes_after"] == "Only this note is left."
    assert seen["parts"][:5] == [f"/staff/records/{rid}/messages/new",
                                 f"/staff/records/{rid}/requests",
                                 f"/staff/records/{rid}/sessions",
                                 f"/staff/records/{rid}/availability",
                                 f"/staff/records/{rid}/payments"]
    assert "Notes changed" in seen["audit"] and "Ada Admin" in seen["audit"]
    assert f"Navigator assigned\t\nnavigators: — → Nadia Navigator {suffix}" in seen["audit"]
    assert seen["audit_rows"] == 25 and seen["audit_older"] > 0

    # what the API holds now
    view = admin.get(f"{url}{STAFF}/records/{rid}").json()
    assert view["case_number"] == "TL-2026-01" and view["status"] == "inactive"
    assert view["client_type"]["name"] == "Direct service"
    assert view["email"] == "tobias.lindqvist@example.org"
    assert view["date_of_birth"] == "1990-02-28"
    assert {(p["number"], p["type"]) for p in view["phones"]} == {
        ("+44 20 7946 0123", "mobile"), ("07700 900123", "work")}
    assert [g["id"] for g in view["groups"]] == [group["id"]]
    assert [n["user_id"] for n in view["navigators"]] == [member.user_id]
    assert view["image_url"]
    assert admin.get(f"{url}{STAFF}/records/{rid}/image").content[:4] == b"\x89PNG"
    assert admin.get(f"{url}{STAFF}/records/{rid}/notes").json()["body"] == \
        "Only this note is left."
    assert admin.get(f"{url}{STAFF}/records/{taken['id']}").json()["case_number"] == "TAKEN-1"
    assert len(result["checked"]) + len(organised["checked"]) >= 20


def test_rec7_rec9_rec12_bulk_groups_contacts_invitation_delete_and_restore(
        web_url, gateway_url, browser):
    url = gateway_url
    admin = agency(url)
    surname = f"Quennell{uuid.uuid4().hex[:4]}"
    records = [record(url, admin, first_name=first, last_name=surname)
               for first in ("Ada", "Bram", "Cato")]
    group = made(admin.post(f"{url}{STAFF}/groups", json={"name": "Winter appeal"}))
    made(admin.post(f"{url}{STAFF}/records/{records[0]['id']}/groups",
                    json={"group_id": group["id"]}))
    contact = made(admin.post(f"{url}{STAFF}/contacts", json={
        "first_name": "Agnes", "last_name": "Pemberton", "email": "agnes@example.org"}))
    # a record with a portal account and a payment
    paid = record(url, admin, first_name="Paz", last_name="Payne")
    made(admin.post(f"{url}{STAFF}/records/{paid['id']}/invitation", json={"confirm": True}))
    accepted_token(url, paid["email"])
    assert wait_for(lambda: admin.get(f"{url}{STAFF}/records/{paid['id']}")
                    .json()["has_client_account"], timeout=20)
    assert wait_for(lambda: admin.post(f"{url}{STAFF}/payments", json={
        "client_id": paid["id"], "amount_minor": 2500, "currency": "GBP",
        "paid_on": datetime.date.today().isoformat(), "method": "cash"}).status_code == 201,
        timeout=20)
    other = agency(url)
    elsewhere = record(url, other)

    first = browser("records_bulk_and_contacts", web_url=web_url, **credentials(admin),
                    search=surname, record_id=records[1]["id"], contact_name="Agnes Pemberton")
    then = browser("records_invite_ban_delete", web_url=web_url, **credentials(admin),
                   record_id=records[1]["id"], paid_record_id=paid["id"],
                   other_agency_record=elsewhere["id"])
    seen = {**first["seen"], **then["seen"]}
    assert all(width <= 320 for width in seen["narrow"].values()), seen["narrow"]
    print(seen)
    assert seen["listed"] == 3
    assert seen["bulk"] == "2 records added to Winter appeal; 1 was in it already."
    assert seen["bulk_empty"] == "Select at least one record and a group."
    assert seen["link_empty"] == ["Select at least one contact type",
                                  "Enter the relationship, like Mother or Social worker"]
    assert "0 contacts found" in seen["not_found"]
    assert seen["contact_empty"] == ["Enter a last name or an organisation name"]
    assert "Agnes Pemberton: Aunt" in seen["contacts"]
    assert "Rupert Featherstonehaugh (Northside Housing): Housing officer" in seen["contacts"]
    assert "Agnes Pemberton" not in seen["contacts_after"]
    assert seen["resent"].startswith(f"Invitation sent again to {records[1]['email']}")
    assert records[1]["email"] in seen["invitation"]
    assert seen["banned"] == "Portal status changed to banned."
    assert seen["refused"] == ["This record has sessions or payments, so it cannot be deleted. "
                               "Set its status to inactive or prospect instead."]
    assert seen["unconfirmed"] == ["Select “Yes, delete this record” to delete it, or go back "
                                   "to the record."]
    assert seen["deleted"].startswith(f"The record of Bram {surname}")
    assert seen["deleted_page"] == "Page not found"
    assert f"Bram {surname}" in seen["deleted_list"]
    assert seen["restored"] == f"The record of Bram {surname} was restored."
    assert seen["other_status"] == 404 and seen["other_title"] == "Page not found"
    assert seen["other_form_status"] == 404

    # what the API holds now
    members = admin.get(f"{url}{STAFF}/records", params={"group_id": group["id"]}).json()
    assert {r["id"] for r in members["items"]} == {r["id"] for r in records}
    links = admin.get(f"{url}{STAFF}/records/{records[1]['id']}/contacts").json()["items"]
    [link] = links
    assert link["contact"]["last_name"] == "Featherstonehaugh"
    assert link["contact_types"] == ["professional"] and link["relationship"] == "Housing officer"
    assert link["organisation_reference"] == "NH-7781"
    assert admin.get(f"{url}{STAFF}/contacts/{contact['id']}").status_code == 200
    assert admin.get(f"{url}{STAFF}/records/{paid['id']}").json()["portal_status"] == "banned"
    assert admin.get(f"{url}{STAFF}/records/{records[1]['id']}").status_code == 200
    view = admin.get(f"{url}{STAFF}/records/{records[1]['id']}").json()
    assert view["invitation"]["sent"] and view["invitation"]["email"] == records[1]["email"]
