"""REC-2: images are what their bytes say, at most 5 MiB."""

import pytest

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
