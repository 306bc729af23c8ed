"""REC-2: images are what their bytes say, at most 5 MiB."""

import io
import time

import pytest
from PIL import Image

from casework.errors import PayloadTooLarge, UnsupportedMediaType
from services.records import domain

SAMPLES = {
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF",
    "image/png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "image/gif": b"GIF87a\x01\x00\x01\x00",
    "image/webp": b"RIFF\x24\x00\x00\x00WEBPVP8 ",
}


@pytest.mark.parametrize("content_type, data", SAMPLES.items())
def test_rec2_each_accepted_format_is_recognised_by_its_magic_bytes(content_type, data):
    assert domain.sniff(data) == content_type
    assert domain.check_image(data, "application/octet-stream") == content_type
    assert domain.check_image(data, None) == content_type


def test_rec2_the_bytes_decide_not_the_declared_type():
    assert domain.check_image(SAMPLES["image/gif"], "image/png; charset=x") == "image/gif"


@pytest.mark.parametrize("data, declared", [
    (b"", "image/png"),
    (b"<?xml version='1.0'?><svg/>", "image/svg+xml"),
    (b"<svg/>", "image/png"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", "image/webp"),
    (b"GIF88a", "image/gif"),
    (b"\x89PNG\r\n", "image/png"),
    (SAMPLES["image/png"], "text/html"),
])
def test_rec2_anything_else_is_refused_as_unsupported(data, declared):
    with pytest.raises(UnsupportedMediaType):
        domain.check_image(data, declared)


def test_rec2_at_most_5_mib():
    png = SAMPLES["image/png"]
    limit = domain.MAX_IMAGE_BYTES
    assert domain.check_image(png + bytes(limit - len(png)), None) == "image/png"
    with pytest.raises(PayloadTooLarge):
        domain.check_image(png + bytes(limit - len(png) + 1), None)


# --- decoded and re-encoded (issue 19, "Input that should never have been stored") ----------

def encoded(format_: str, size=(4, 3), mode="RGB", **options) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, 200).save(out, format=format_, **options)
    return out.getvalue()


def gps_exif(orientation: int | None = None) -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (52.0, 22.0, 1.5), 3: "E", 4: (4.0, 53.0, 0.0)}
    if orientation:
        exif[0x0112] = orientation
    return exif.tobytes()


@pytest.mark.parametrize("format_, content_type, mode", [
    ("JPEG", "image/jpeg", "RGB"), ("PNG", "image/png", "RGBA"), ("GIF", "image/gif", "P"),
    ("WEBP", "image/webp", "RGB")])
def test_each_format_is_re_encoded_in_its_own_format(format_, content_type, mode):
    content_type_, data = domain.clean_image(encoded(format_, mode=mode), None)
    assert content_type_ == content_type
    with Image.open(io.BytesIO(data)) as image:
        assert (image.format, image.size) == (format_, (4, 3))


@pytest.mark.parametrize("format_", ["JPEG", "PNG", "WEBP"])
def test_gps_exif_and_comments_are_stripped(format_):
    options = {"exif": gps_exif()}
    if format_ == "JPEG":
        options["comment"] = b"secret comment"
    upload = encoded(format_, **options)
    with Image.open(io.BytesIO(upload)) as image:
        assert image.getexif().get_ifd(0x8825)  # the upload does carry a position
    _, data = domain.clean_image(upload, None)
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif()
        assert "exif" not in image.info and "comment" not in image.info
    assert b"secret" not in data and b"Exif" not in data


def test_the_exif_orientation_is_applied_before_it_is_dropped():
    _, data = domain.clean_image(encoded("JPEG", size=(40, 30), exif=gps_exif(6)), None)
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (30, 40)


def test_a_png_signature_followed_by_html_is_refused():
    with pytest.raises(UnsupportedMediaType) as refused:
        domain.clean_image(b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>",
                           "image/png")
    assert "does not decode" in refused.value.detail


def test_a_truncated_image_is_refused():
    whole = encoded("JPEG", size=(64, 64))
    with pytest.raises(UnsupportedMediaType):
        domain.clean_image(whole[:len(whole) // 2], None)


def test_what_follows_a_real_image_is_not_kept():
    _, data = domain.clean_image(encoded("PNG") + b"<html>polyglot</html>", None)
    assert b"html" not in data


def test_a_decompression_bomb_is_refused_from_its_header_fast():
    bomb = encoded("PNG", size=(20000, 20000), mode="1")
    assert len(bomb) < 100_000
    started = time.monotonic()
    with pytest.raises(PayloadTooLarge) as refused:
        domain.clean_image(bomb, None)
    assert time.monotonic() - started < 0.5
    assert "pixels" in refused.value.detail


def test_animated_images_keep_their_frames_within_the_pixel_bound():
    frames = [Image.new("RGB", (10, 10), colour) for colour in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:])
    _, data = domain.clean_image(out.getvalue(), None)
    with Image.open(io.BytesIO(data)) as image:
        assert image.n_frames == 3
