"""What a file is, read from its content (never from its name or the browser's word):
PDF, OpenDocument text and spreadsheet, Word and Excel (OOXML), PNG and JPEG.

``sniff(fileobj)`` returns the content type or None; it leaves the file at its start.
Used for the calls' documents and the applications' attachments.
"""

import zipfile

ALLOWED = {
    "application/pdf": "PDF",
    "application/vnd.oasis.opendocument.text": "ODT",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
}
_OPENDOCUMENT = (
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
)
_DOCX, _XLSX = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)


def _zip_type(fileobj) -> str | None:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size > 100:
                    return None
                with archive.open(info) as member:
                    declared = member.read(100).decode("ascii", "replace").strip()
                return declared if declared in _OPENDOCUMENT else None
            if "[Content_Types].xml" in names:
                if any(name.startswith("word/") for name in names):
                    return _DOCX
                if any(name.startswith("xl/") for name in names):
                    return _XLSX
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError):
        return None
    return None


def sniff(fileobj) -> str | None:
    """The content type of ``fileobj`` (one of ``ALLOWED``) read from its bytes, or None."""
    try:
        fileobj.seek(0)
        head = fileobj.read(8)
        fileobj.seek(0)
        if head.startswith(b"%PDF-"):
            return "application/pdf"
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return "image/png"
        if head.startswith(b"\xff\xd8\xff"):
            return "image/jpeg"
        if head.startswith(b"PK\x03\x04"):
            return _zip_type(fileobj)
        return None
    finally:
        fileobj.seek(0)
