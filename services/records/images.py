"""Record images (REC-2): what an upload is, decided by its bytes, never by its name or the
content type the client claims."""

from __future__ import annotations

from casework.errors import PayloadTooLarge, UnsupportedMediaType

MAX_IMAGE_BYTES = 5 * 1024 * 1024
ACCEPTED = ("image/jpeg", "image/png", "image/gif", "image/webp")
# What a client may declare: one of the accepted types, or "I don't know" (the bytes decide).
DECLARABLE = (*ACCEPTED, "application/octet-stream")


def sniff(data: bytes) -> str | None:
    """The image type of ``data`` by its magic bytes, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_image(data: bytes, declared: str | None) -> str:
    """The content type to store and serve, or the typed refusal (413, 415)."""
    if len(data) > MAX_IMAGE_BYTES:
        raise PayloadTooLarge(f"an image may be at most {MAX_IMAGE_BYTES // (1024 * 1024)} MiB; "
                              f"this one is {len(data)} bytes")
    declared = (declared or "").split(";")[0].strip().lower()
    if declared and declared not in DECLARABLE:
        raise UnsupportedMediaType(
            f"{declared} is not accepted; send a JPEG, PNG, GIF or WebP image")
    if not data:
        raise UnsupportedMediaType("the body is empty; send a JPEG, PNG, GIF or WebP image")
    detected = sniff(data)
    if detected is None:
        raise UnsupportedMediaType(
            "the content is not a JPEG, PNG, GIF or WebP image (checked by its bytes)")
    return detected
