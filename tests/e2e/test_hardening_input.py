"""Issue 19, "Input that should never have been stored", through the gateway, the bus, the
services and PostgreSQL: images decoded and re-encoded (REC-2, QUALITY S4), case numbers unique
whatever their letter case, lists without repeats."""

import io
import time

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
