"""Ground for the applying tests: poles with their managers, files of each kind."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from registry import services as registry_services

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


ODT = zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})
XLSX = zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>"})
OTHER_ZIP = zipped({"readme.txt": b"hello"})


def upload(content: bytes, name: str = "piece.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def make_pole(name: str, commune: str = "26281", *, managers=()):
    pole = registry_services.pole_save(data={"name": name, "commune_code": commune})
    pole.managers.add(*managers)
    return pole
