"""Hostile inputs, generated at test time (nothing dangerous is checked in)."""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
BUNDLED = REPO / "clauses"


def copy_library(dest: Path) -> Path:
    """Return a writable copy of the bundled clause library at ``dest``."""
    shutil.copytree(BUNDLED, dest)
    return dest


def reapprove(lib: Path, fragment: Path) -> None:
    """Record the current hash of ``fragment`` in the library's approved.yaml (as `clauses approve` would)."""
    clause_id, version = fragment.parent.name, fragment.stem
    digest = hashlib.sha256(fragment.read_bytes()).hexdigest()
    approved = lib / "approved.yaml"
    text = re.sub(rf"(?m)^{re.escape(clause_id)}@{re.escape(version)}: .*$",
                  f"{clause_id}@{version}: {digest}", approved.read_text())
    approved.write_text(text)


def latest_fragment(lib: Path, clause_id: str) -> Path:
    """Return the file of a clause's highest version: the one a build today uses."""
    return max((lib / "fragments" / clause_id).glob("*.md"), key=lambda f: tuple(int(x) for x in f.stem.split(".")))


def add_to_clause(lib: Path, clause_id: str, text: str, reapproved: bool = True) -> Path:
    """Append ``text`` to both language sections' first paragraph area of a clause (end of file)."""
    fragment = latest_fragment(lib, clause_id)
    body = fragment.read_text()
    body = body.replace("\n# en\n", f"\n{text}\n\n# en\n", 1) + f"\n{text}\n"
    fragment.write_text(body)
    if reapproved:
        reapprove(lib, fragment)
    return fragment


def basic_answers(dest: Path, extra: str = "", name: str = "basic.yaml") -> Path:
    """Write the bundled basic example (plus ``extra`` YAML at the end) into ``dest``."""
    path = dest / name
    path.write_text((EXAMPLES / "basic.yaml").read_text() + extra)
    return path


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """Return YAML lines defining anchors a0..a{levels}, each ``width`` times the one before."""
    lines = ['a0: &a0 "lol-lol-lol-lol-lol"']
    for i in range(1, levels + 1):
        refs = ", ".join(f"*a{i - 1}" for _ in range(width))
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def answers_alias_bomb(dest: Path) -> Path:
    top = "x-bomb:\n  " + alias_bomb().replace("\n", "\n  ").rstrip() + "\n"
    return basic_answers(dest, "\n" + top + "x-use: *a9\n", "bomb.yaml")


def deep_json(depth: int = 100_000) -> str:
    return "[" * depth + "]" * depth


def _write_zip(path: Path, entries: list[tuple[str, int, int, int, int, list[bytes]]]) -> None:
    """Write a zip by hand: (name, method, crc, compressed size, size, payload pieces) per entry."""
    central = []
    with open(path, "wb") as fh:
        for name, method, crc, csize, usize, pieces in entries:
            offset = fh.tell()
            raw = name.encode()
            fh.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, csize, usize, len(raw), 0))
            fh.write(raw)
            for piece in pieces:
                fh.write(piece)
            central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, csize,
                                       usize, len(raw), 0, 0, 0, 0, 0, offset) + raw)
        start = fh.tell()
        for record in central:
            fh.write(record)
        size = fh.tell() - start
        count = len(central)
        if count > 0xFFFF:  # more entries than the classic end record counts: a ZIP64 end record
            at = fh.tell()
            fh.write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count, size, start))
            fh.write(struct.pack("<IIQI", 0x07064B50, 0, at, 1))
            count = 0xFFFF
        fh.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, size, start, 0))


def _stored(name: str, data: bytes) -> tuple[str, int, int, int, int, list[bytes]]:
    return (name, 0, zlib.crc32(data), len(data), len(data), [data])


def _padded(name: str, data: bytes, pad: int) -> tuple[str, int, int, int, int, list[bytes]]:
    """``data`` then ``pad`` spaces, deflated; each MB of spaces is the same deflate block, made once."""
    chunk = b" " * (1 << 20)
    head = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = head.compress(data) + head.flush(zlib.Z_FULL_FLUSH)
    body = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = body.compress(chunk) + body.flush(zlib.Z_FULL_FLUSH)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    count = pad // len(chunk)
    crc = zlib.crc32(data)
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    pieces = [first] + [block] * count + [tail]
    return (name, 8, crc, sum(len(p) for p in pieces), len(data) + count * len(chunk), pieces)


def zip_bomb_docx(src: Path, dest: Path, pad: int) -> Path:
    """Copy a built DOCX, appending ``pad`` bytes of spaces to document.xml and to the manifest part.

    Trailing whitespace after the root element is legal XML, so only the size is hostile.
    """
    entries = []
    with zipfile.ZipFile(src) as zin:
        for name in zin.namelist():
            data = zin.read(name)
            bomb = name == "word/document.xml" or (name.startswith("customXml/item") and b"Props" not in name.encode()
                                                    and not name.endswith(".rels"))
            entries.append(_padded(name, data, pad) if bomb else _stored(name, data))
    _write_zip(dest, entries)
    return dest


def many_entries_docx(src: Path, dest: Path, entries: int = 100_000) -> Path:
    """Copy a built DOCX and add ``entries`` tiny XML parts."""
    with zipfile.ZipFile(src) as zin:
        items = [_stored(n, zin.read(n)) for n in zin.namelist()]
    tiny = b"<a/>"
    crc = zlib.crc32(tiny)
    items += [(f"customXml/extra{i}.xml", 0, crc, len(tiny), len(tiny), [tiny]) for i in range(entries)]
    _write_zip(dest, items)
    return dest


def sparse_file(path: Path, size: int, head: bytes = b"%PDF-1.7\n") -> Path:
    with open(path, "wb") as fh:
        fh.write(head)
        fh.truncate(size)
    return path


def deep_pdf(path: Path, depth: int = 100_000) -> Path:
    """A tiny PDF whose catalog holds an array nested ``depth`` deep."""
    body = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /X " + b"[" * depth + b"]" * depth + b" >>\nendobj\n"
    xref_at = len(body)
    body += b"xref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer\n<< /Size 2 /Root 1 0 R >>\n"
    body += b"startxref\n%d\n%%%%EOF\n" % xref_at
    path.write_bytes(body)
    return path


def text_pdf(path: Path, text: str) -> Path:
    """A one-page PDF that says ``text``."""
    from reportlab.pdfgen import canvas
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842), invariant=1)
    c.drawString(72, 770, text)
    c.showPage()
    c.save()
    path.write_bytes(buf.getvalue())
    return path


def active_pdf(path: Path) -> Path:
    """A one-page PDF with JavaScript, an OpenAction, a Launch action and an embedded file."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, TextStringObject
    src = text_pdf(path.with_suffix(".plain.pdf"), "An appendix with active content")
    writer = PdfWriter(clone_from=PdfReader(str(src)))
    script = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                               NameObject("/JS"): TextStringObject("app.alert('hostile appendix');")})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): DictionaryObject({
        NameObject("/Names"): ArrayObject([TextStringObject("hostile"), writer._add_object(script)])})})
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1);")})
    writer.add_attachment("payload.exe", b"MZ not really a program")
    launch = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(100), FloatObject(100)]),
        NameObject("/A"): DictionaryObject({NameObject("/S"): NameObject("/Launch"),
                                            NameObject("/F"): TextStringObject("calc.exe")})})
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(launch)])
    with open(path, "wb") as fh:
        writer.write(fh)
    src.unlink()
    return path


ACTIVE_PDF_KEYS = (b"/JavaScript", b"/OpenAction", b"/Launch", b"/EmbeddedFiles")


class _Planted:
    """Unpickling this runs code: it writes the marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (exec, (f"open({str(self.marker)!r}, 'w').write('planted code ran')",))


def planted_pickle(marker: Path) -> bytes:
    import pickle
    return pickle.dumps((_Planted(marker), _Planted(marker)))


def planted_code(marker: Path) -> bytes:
    import marshal
    return marshal.dumps(compile(f"open({str(marker)!r}, 'w').write('planted code ran')", "<planted>", "exec"))


def plant_cache(folder: Path, marker: Path) -> int:
    """Replace every file of a cache with code that writes ``marker`` when loaded; return how many.

    A pickle becomes a pickle that runs code; a Jinja bytecode bucket keeps
    its header and checksum (so it would match its source) with planted code
    after it; anything else becomes marshalled code.
    """
    import pickle
    count = 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()):
        data = path.read_bytes()
        if path.suffix == ".pickle":
            path.write_bytes(planted_pickle(marker))
        elif data.startswith(b"j2"):
            stream = io.BytesIO(data)
            from jinja2.bccache import bc_magic
            stream.seek(len(bc_magic))
            pickle.load(stream)  # our own file, written by the warm-up run: the source checksum
            path.write_bytes(data[: stream.tell()] + planted_code(marker))
        else:
            path.write_bytes(planted_code(marker))
        count += 1
    return count


def poison_cache(folder: Path, old: bytes = b"Parterna", new: bytes = b"POISONED") -> int:
    """Replace clause text inside every cache file by text of the same length; return how many changed."""
    assert len(old) == len(new)
    count = 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()):
        data = path.read_bytes()
        if old in data:
            path.write_bytes(data.replace(old, new))
            count += 1
    return count


def forge_docx_manifest(src: Path, dest: Path, change: Callable[[dict], None]) -> Path:
    """Copy a built DOCX with its embedded manifest changed by ``change``."""
    import json
    from xml.sax.saxutils import escape
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("customXml/item") and b"<manifest" in data:
                text = data.decode("utf-8")
                body = text[text.index(">", text.index("<manifest")) + 1: text.rindex("</manifest>")]
                from xml.sax.saxutils import unescape
                manifest = json.loads(unescape(body))
                change(manifest)
                data = (text[: text.index(">", text.index("<manifest")) + 1]
                        + escape(json.dumps(manifest, ensure_ascii=False, indent=2)) + "</manifest>").encode()
            zout.writestr(info, data)
    return dest


def extract_text_or_empty(path: Path) -> str:
    """The XML text of a DOCX, or '' when there is none."""
    if not path.exists():
        return ""
    try:
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    except (zipfile.BadZipFile, OSError):
        return ""


def deep_folder(base: Path, depth: int) -> Path:
    """Make ``base``/d/d/... ``depth`` deep without recursion (os.makedirs recurses)."""
    base.mkdir()
    fd = os.open(base, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir("d", dir_fd=fd)
            nxt = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = nxt
    finally:
        os.close(fd)
    return base


def remove_deep_folder(base: Path) -> None:
    """Remove a tree made by :func:`deep_folder` without recursion."""
    depth = 0
    path = base
    while (path / "d").is_dir():
        path = path / "d"
        depth += 1
    while path != base.parent:
        os.rmdir(path)
        path = path.parent
