"""Issue 19, "Input that should never have been stored", through the gateway, the bus, the
services and PostgreSQL: images decoded and re-encoded (REC-2, QUALITY S4), case numbers unique
whatever their letter case, lists without repeats."""

import io
import time
import uuid

from PIL import Image

from tests.e2e.test_records_support import API, create_record, sql


def image_url(base, record_id):
    return f"{base}{API}/records/{record_id}/image"


def test_an_image_that_does_not_decode_is_refused_and_not_stored(gateway_url, staff, engine):
    alice = staff()
    record_id = create_record(alice, gateway_url)["id"]
    url = image_url(gateway_url, record_id)
    fake = b"\x89PNG\r\n\x1a\n<!doctype html><html><script>alert(document.cookie)</script>"
    refused = alice.put(url, data=fake, headers={"Content-Type": "image/png"})
    assert refused.status_code == 415
    assert refused.json()["code"] == "unsupported_media_type"
    assert "does not decode" in refused.json()["detail"]
    assert alice.get(url).status_code == 404
    assert sql(engine, "SELECT count(*) FROM records.record_images WHERE record_id = :r",
               r=record_id) == [(0,)]


def test_a_photos_gps_position_is_not_kept(gateway_url, staff, engine):
    alice = staff()
    record_id = create_record(alice, gateway_url)["id"]
    url = image_url(gateway_url, record_id)
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (52.0, 22.0, 1.5), 3: "E", 4: (4.0, 53.0, 0.0)}
    exif[0x010F] = "PhoneMaker"
    photo = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 200)).save(photo, format="JPEG", exif=exif.tobytes())
    stored = alice.put(url, data=photo.getvalue(), headers={"Content-Type": "image/jpeg"})
    assert stored.status_code == 200, stored.text
    served = alice.get(url)
    assert served.headers["Content-Type"] == "image/jpeg"
    assert stored.json()["byte_size"] == len(served.content)
    with Image.open(io.BytesIO(served.content)) as image:
        assert image.size == (32, 24)
        assert not image.getexif()
    assert b"PhoneMaker" not in served.content
    kept = sql(engine, "SELECT data FROM records.record_images WHERE record_id = :r",
               r=record_id)[0][0]
    assert bytes(kept) == served.content


def test_a_decompression_bomb_is_refused_fast(gateway_url, staff):
    alice = staff()
    record_id = create_record(alice, gateway_url)["id"]
    url = image_url(gateway_url, record_id)
    bomb = io.BytesIO()
    Image.new("1", (20000, 20000)).save(bomb, format="PNG")  # 400 megapixels of one colour
    assert len(bomb.getvalue()) < 100_000
    started = time.monotonic()
    refused = alice.put(url, data=bomb.getvalue(), headers={"Content-Type": "image/png"})
    assert time.monotonic() - started < 2
    assert refused.status_code == 413
    assert refused.json()["code"] == "payload_too_large"
    assert "pixels" in refused.json()["detail"]
    assert alice.get(url).status_code == 404


def test_case_numbers_differing_only_in_letter_case_are_refused_in_one_agency(
        gateway_url, staff, engine):
    alice, bob = staff(), staff()
    base = gateway_url
    first = create_record(alice, base, case_number="C-1")
    taken = alice.post(f"{base}{API}/records",
                       json={"first_name": "A", "last_name": "B", "case_number": "c-1"})
    assert taken.status_code == 409
    assert taken.json()["code"] == "duplicate_case_number"
    assert taken.json()["errors"] == {"case_number": ["already in use"]}
    other = create_record(alice, base)
    changed = alice.put(f"{base}{API}/records/{other['id']}/case-number",
                        json={"case_number": "c-1"})
    assert changed.status_code == 409 and changed.json()["code"] == "duplicate_case_number"
    # a record may change the letter case of its own number
    own = alice.put(f"{base}{API}/records/{first['id']}/case-number", json={"case_number": "c-1"})
    assert own.status_code == 200 and own.json()["case_number"] == "c-1"
    # a deleted record keeps its number (for its restore), whatever the case
    assert alice.delete(f"{base}{API}/records/{first['id']}").status_code == 204
    still = alice.post(f"{base}{API}/records",
                       json={"first_name": "A", "last_name": "B", "case_number": "C-1"})
    assert still.status_code == 409
    # another agency has its own numbers
    assert create_record(bob, base, case_number="C-1")["case_number"] == "C-1"
    # a generated number skips a hand-chosen one in another letter case
    alice_numbers = [create_record(alice, base)["case_number"] for _ in range(2)]
    hand = "c-" + str(int(alice_numbers[-1][2:]) + 1).zfill(6)
    assert create_record(alice, base, case_number=hand)["case_number"] == hand
    generated = create_record(alice, base)["case_number"]
    assert generated.lower() != hand and generated.startswith("C-")
    assert sql(engine, "SELECT count(*) FROM records.records WHERE organization_id = :o"
                       " AND lower(case_number) = 'c-1'", o=alice.organization_id) == [(1,)]


def test_input_lists_refuse_repeats_and_say_which(gateway_url, staff, engine):
    alice = staff()
    base = gateway_url
    repeated = alice.post(f"{base}{API}/records", json={
        "first_name": "A", "last_name": "B",
        "preferred_contact_methods": ["email"] * 1000,
        "phones": [{"number": "+44 20 7946 0000"}, {"type": "home", "number": "+44(20)79460000"}]})
    assert repeated.status_code == 422
    assert repeated.json()["errors"] == {
        "preferred_contact_methods": ["each contact method at most once; repeated: email"],
        "phones": ["each phone number at most once; repeated: +442079460000"]}
    record = create_record(alice, base, preferred_contact_methods=["email", "sms"])
    patched = alice.patch(f"{base}{API}/records/{record['id']}",
                          json={"preferred_contact_methods": ["sms", "sms"]})
    assert patched.status_code == 422
    assert list(patched.json()["errors"]) == ["preferred_contact_methods"]
    indicator = str(uuid.uuid4())
    twice = alice.patch(f"{base}{API}/records/{record['id']}",
                        json={"warning_indicator_ids": [indicator, indicator]})
    assert twice.status_code == 422 and list(twice.json()["errors"]) == ["warning_indicator_ids"]
    role = alice.post(f"{base}/api/v1/staff/roles",
                      json={"name": "Twice", "permissions": ["view_audit", "view_audit"]})
    assert role.status_code == 422
    assert role.json()["errors"] == {
        "permissions": ["each permission at most once; repeated: view_audit"]}
    assert sql(engine, "SELECT preferred_contact_methods FROM records.records WHERE id = :r",
               r=record["id"]) == [(["email", "sms"],)]


def test_a_slug_ending_in_a_newline_is_refused(gateway_url, operator):
    answer = operator.session.post(f"{gateway_url}/api/v1/operator/organizations", json={
        "name": "Newline", "slug": "newline-agency\n", "admin": {
            "email": "a@example.org", "first_name": "A", "last_name": "B",
            "password": "long enough password"}})
    assert answer.status_code == 422
    assert list(answer.json()["errors"]) == ["slug"]
