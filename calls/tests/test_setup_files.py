"""What a file is, from its bytes (calls.files.sniff)."""

import io
import zipfile

import pytest

from calls import files


def _zip(members: dict) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 100


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: io.BytesIO(PDF), "application/pdf"),
        (lambda: io.BytesIO(PNG), "image/png"),
        (lambda: io.BytesIO(JPEG), "image/jpeg"),
        (
            lambda: _zip(
                {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"}
            ),
            "application/vnd.oasis.opendocument.text",
        ),
        (
            lambda: _zip(
                {
                    "mimetype": "application/vnd.oasis.opendocument.spreadsheet",
                    "content.xml": "<x/>",
                }
            ),
            "application/vnd.oasis.opendocument.spreadsheet",
        ),
        (
            lambda: _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"}),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            lambda: _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<w/>"}),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ],
)
def test_the_accepted_types_are_read_from_their_content(make, expected):
    upload = make()
    upload.read(3)  # wherever the file stands, it is read from its start
    assert files.sniff(upload) == expected
    assert expected in files.ALLOWED
    assert upload.tell() == 0


@pytest.mark.parametrize(
    "data",
    [
        EXE,  # a program renamed « budget.pdf »: the name is never read
        b"",
        b"Bonjour, ceci est un texte",
        b"<html><script>alert(1)</script></html>",
        b"PK\x03\x04 not really a zip",
        b"GIF89a\x01\x00",
    ],
)
def test_other_contents_are_refused(data):
    assert files.sniff(io.BytesIO(data)) is None


def test_archives_that_are_not_office_documents_are_refused():
    presentation = _zip({"mimetype": "application/vnd.oasis.opendocument.presentation"})
    plain = _zip({"readme.txt": "hello"})
    ooxml_slides = _zip({"[Content_Types].xml": "<Types/>", "ppt/presentation.xml": "<p/>"})
    huge_mimetype = _zip({"mimetype": "application/vnd.oasis.opendocument.text" + " " * 500})
    for upload in (presentation, plain, ooxml_slides, huge_mimetype):
        assert files.sniff(upload) is None


def test_an_uploaded_file_is_sniffed_like_any_file_object():
    from django.core.files.uploadedfile import SimpleUploadedFile

    assert files.sniff(SimpleUploadedFile("budget.pdf", EXE)) is None
    assert files.sniff(SimpleUploadedFile("cahier.bin", PDF)) == "application/pdf"
