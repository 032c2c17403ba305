"""What a file is, read from its content, never from its name: PDF, OpenDocument text and
spreadsheet, Word and Excel (OOXML), PNG and JPEG.

Zip containers are told apart by what they hold: an OpenDocument file starts with a
``mimetype`` entry naming its type; an OOXML file has ``[Content_Types].xml`` and a
``word/`` (document) or ``xl/`` (workbook) folder. Anything else (an executable, a zip of
other things, a text file renamed .pdf) is ``None``.
"""

import zipfile

from django.utils.translation import gettext_lazy as _

PDF = "application/pdf"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG = "image/png"
JPEG = "image/jpeg"

ALLOWED: dict[str, str] = {
    PDF: _("PDF document"),
    ODT: _("OpenDocument text"),
    ODS: _("OpenDocument spreadsheet"),
    DOCX: _("Word document"),
    XLSX: _("Excel workbook"),
    PNG: _("PNG image"),
    JPEG: _("JPEG image"),
}

EXTENSIONS = {
    PDF: "pdf",
    ODT: "odt",
    ODS: "ods",
    DOCX: "docx",
    XLSX: "xlsx",
    PNG: "png",
    JPEG: "jpg",
}

_ODF = {ODT: ODT, ODS: ODS}
_MAX_ZIP_ENTRIES = 10_000


def _zip_type(fileobj) -> str | None:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = archive.namelist()
            if len(names) > _MAX_ZIP_ENTRIES:
                return None
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size > 200:
                    return None
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                return _ODF.get(declared)
            if "[Content_Types].xml" in names:
                if any(name.startswith("word/") for name in names):
                    return DOCX
                if any(name.startswith("xl/") for name in names):
                    return XLSX
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError):
        return None
    return None


def sniff(fileobj) -> str | None:
    """The content type of an allowed file, read from its bytes; ``None`` for any other.
    The file's position is put back at its start."""
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            return PDF
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return PNG
        if head.startswith(b"\xff\xd8\xff"):
            return JPEG
        if head.startswith(b"PK\x03\x04"):
            return _zip_type(fileobj)
        return None
    finally:
        fileobj.seek(0)
