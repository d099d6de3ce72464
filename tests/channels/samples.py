"""Small real files of every kind a channel may send, made here (no binary fixtures)."""

from __future__ import annotations

import io
import struct
import wave
import zlib


def png(variant: int = 0) -> bytes:
    """A 1×1 PNG; ``variant`` changes the pixel, so the content (and its hash) differs."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixel = bytes([0, variant % 256, 0, 0])
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixel))
        + chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + bytes(64)
        + b"\xff\xd9"
    )


def gif() -> bytes:
    return (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00"
        b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )


def webp() -> bytes:
    body = b"WEBPVP8L" + struct.pack("<I", 10) + b"\x2f" + bytes(9)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00" * 800)
    return out.getvalue()


def amr() -> bytes:
    """AMR-NB, as WeChat and phones record voice: the magic line, then 12.2 kbit/s frames."""
    return b"#!AMR\n" + (b"\x3c" + bytes(31)) * 10


def mp3() -> bytes:
    return b"ID3\x03\x00\x00\x00\x00\x00\x0a" + bytes(10) + (b"\xff\xfb\x90\x64" + bytes(413)) * 2


def _iso_media(brand: bytes, compatible: tuple[bytes, ...]) -> bytes:
    data = brand + b"\x00\x00\x02\x00" + b"".join(compatible)
    ftyp = struct.pack(">I", 8 + len(data)) + b"ftyp" + data
    return ftyp + struct.pack(">I", 8) + b"free" + struct.pack(">I", 16) + b"mdat" + bytes(8)


def mp4() -> bytes:
    return _iso_media(b"isom", (b"isom", b"iso2", b"avc1", b"mp41"))


def mov() -> bytes:
    return _iso_media(b"qt  ", (b"qt  ",))


def m4a() -> bytes:
    return _iso_media(b"M4A ", (b"M4A ", b"mp42", b"isom"))


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def exe() -> bytes:
    """The start of a Windows executable."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(120)


def elf() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + bytes(120)


def text() -> bytes:
    return "这不是图片，只是一段文字。This is not a picture.\n".encode() * 4


#: Every allowed kind, with the media type its content must be recognised as.
ALLOWED = {
    "photo.jpg": (jpeg, "image/jpeg"),
    "photo.png": (png, "image/png"),
    "anim.gif": (gif, "image/gif"),
    "photo.webp": (webp, "image/webp"),
    "voice.amr": (amr, "audio/amr"),
    "voice.wav": (wav, "audio/wav"),
    "voice.mp3": (mp3, "audio/mpeg"),
    "voice.m4a": (m4a, "audio/mp4"),
    "clip.mp4": (mp4, "video/mp4"),
    "clip.mov": (mov, "video/quicktime"),
    "letter.pdf": (pdf, "application/pdf"),
}
