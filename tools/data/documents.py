"""The user's documents for RAG: read (TXT, Markdown, PDF, DOCX, or a zip of them), checked, cut into passages.

Each bad document gets one problem of its own (encrypted PDF, a scan with no text layer, empty, too large, not a
document, broken) and the others are still used: one unreadable attachment never loses the rest. What a document
is comes from its bytes (like `tools.data.read.sniff_content`), not its name, so a PDF renamed `.txt` is read as a PDF.
Passages are whole paragraphs packed up to a token size (long paragraphs split at sentence ends), so a retrieved
passage reads as the document wrote it; their tokens are counted with the run's tokenizer, so the forecast's extra
RAG tokens are the tokens sent.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from core.problems import reason
from core.shapes import Reason
from core.tokens import count_tokens
from tools.data.read import DataError, decode_text, sniff_content
from tools.data.tables import file_digest

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024  # one document (a zip's members count one by one)
MAX_ZIP_BYTES = 200 * 1024 * 1024  # everything a zip unpacks to (a zip bomb stops here)
MAX_TEXT_CHARS = 5_000_000  # text kept over all documents (about 1.2M tokens of passages to embed)
DEFAULT_CHUNK_TOKENS = 200
TEXT_SUFFIXES = {".txt", ".text", ".rst"}  # documents once the conversation has its labelled data (else: a table?)
DOCUMENT_SUFFIXES = {".pdf", ".docx", ".md", ".markdown", ".zip"}  # always documents, never a table
_WORD = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class DocumentError(DataError):
    """One document that cannot be used, as a `docs.*` message id."""


@dataclass(frozen=True)
class Document:
    name: str
    text: str


@dataclass(frozen=True)
class Passage:
    document: str
    text: str

    def shown(self) -> str:
        """As a prompt shows it: the document's name, then the passage."""
        return f"({self.document}) {self.text}"


@dataclass
class DocumentSet:
    """The documents that could be read, and one problem (a message id and values) per one that could not."""

    documents: list[Document] = field(default_factory=list)
    problems: list[Reason] = field(default_factory=list)

    @property
    def characters(self) -> int:
        return sum(len(d.text) for d in self.documents)


def read_documents(paths: Iterable[str | Path], names: Sequence[str] | None = None) -> DocumentSet:
    """Read every path (a file, a folder of files, a zip); `names` are the names the user knows them by."""
    found = DocumentSet()
    for index, path in enumerate(Path(p) for p in paths):
        name = names[index] if names and index < len(names) else path.name
        if path.is_dir():
            for member in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")):
                _add_file(found, str(member.relative_to(path)), member)
        elif not path.is_file():
            found.problems.append(reason("docs.missing", name=name))
        else:
            _add_file(found, name, path)
    budget = MAX_TEXT_CHARS
    kept: list[Document] = []
    for document in found.documents:
        if len(document.text) > budget:
            found.problems.append(reason("docs.text_cap", name=document.name, limit=MAX_TEXT_CHARS))
            continue
        budget -= len(document.text)
        kept.append(document)
    found.documents = kept
    return found


def _add_file(found: DocumentSet, name: str, path: Path) -> None:
    """A file on disk, refused by its size before it is read (a zip's members are checked one by one)."""
    size = path.stat().st_size
    if size > MAX_DOCUMENT_BYTES and not zipfile.is_zipfile(path):
        found.problems.append(reason("docs.too_large", name=name, mb=size / 1048576,
                                     limit_mb=MAX_DOCUMENT_BYTES / 1048576))
        return
    _add(found, name, path.read_bytes())


def _add(found: DocumentSet, name: str, data: bytes) -> None:
    try:
        if _is_zip(data) and not _is_docx(data):
            _add_zip(found, name, data)
            return
        text = _text_of(name, data)
    except DocumentError as error:
        found.problems.append(reason(error.id, **error.values))
        return
    if not text.strip():
        found.problems.append(reason("docs.empty", name=name))
        return
    found.documents.append(Document(name, text))


def _is_zip(data: bytes) -> bool:
    return data.startswith(b"PK\x03\x04")


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _add_zip(found: DocumentSet, name: str, data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise DocumentError("docs.broken", name=name, cause=str(error)) from error
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir() and not _hidden(m.filename)]
        if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
            raise DocumentError("docs.too_large", name=name, mb=sum(m.file_size for m in members) / 1048576,
                                limit_mb=MAX_ZIP_BYTES / 1048576)
        if not members:
            raise DocumentError("docs.empty", name=name)
        for member in members:
            inner = f"{name}/{member.filename}"
            if member.file_size > MAX_DOCUMENT_BYTES:
                found.problems.append(reason("docs.too_large", name=inner, mb=member.file_size / 1048576,
                                             limit_mb=MAX_DOCUMENT_BYTES / 1048576))
                continue
            try:
                content = archive.read(member)
            except (RuntimeError, zipfile.BadZipFile, NotImplementedError) as error:  # encrypted or broken
                found.problems.append(reason("docs.broken", name=inner, cause=str(error)))
                continue
            if _is_zip(content) and not _is_docx(content):
                found.problems.append(reason("docs.nested_zip", name=inner))
                continue
            _add(found, inner, content)


def _hidden(member: str) -> bool:
    return member.startswith("__MACOSX/") or any(part.startswith(".") for part in member.split("/"))


def _text_of(name: str, data: bytes) -> str:
    if not data.strip():
        raise DocumentError("docs.empty", name=name)
    if data.startswith(b"%PDF"):
        return _pdf_text(name, data)
    if _is_zip(data):
        return _docx_text(name, data)
    try:
        kind = sniff_content(data, name)
    except DataError as error:
        raise DocumentError("docs.not_a_document", name=name, what=error.values.get("what")) from error
    if kind == "xlsx":
        raise DocumentError("docs.not_a_document", name=name, what=None)
    try:
        return decode_text(data, name, kind)
    except DataError as error:
        raise DocumentError("docs.broken", name=name, cause=error.id) from error


def _pdf_text(name: str, data: bytes) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:  # a PDF with an owner password only opens with the empty user password
                if not reader.decrypt(""):
                    raise DocumentError("docs.encrypted", name=name)
            except Exception as error:  # AES without its library, a damaged key: still a locked file to the user
                raise DocumentError("docs.encrypted", name=name) from error
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except Exception as error:  # pypdf raises many kinds on a damaged file
        raise DocumentError("docs.broken", name=name, cause=type(error).__name__) from error
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text.strip():
        raise DocumentError("docs.no_text", name=name, pages=len(pages))
    return text


def _docx_text(name: str, data: bytes) -> str:
    """Paragraphs of a Word document (word/document.xml), tables included, without a Word library."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            root = ElementTree.fromstring(archive.read("word/document.xml"))
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError) as error:
        raise DocumentError("docs.broken", name=name, cause=type(error).__name__) from error
    paragraphs = ["".join(node.text or "" for node in p.iter(f"{_WORD}t")) for p in root.iter(f"{_WORD}p")]
    return "\n\n".join(p for p in paragraphs if p.strip())


# ---------------------------------------------------------------- passages

_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])")


def passages(documents: Sequence[Document], chunk_tokens: int = DEFAULT_CHUNK_TOKENS) -> list[Passage]:
    """Every document cut into passages of at most about `chunk_tokens` tokens, paragraphs kept whole."""
    found: list[Passage] = []
    for document in documents:
        pieces: list[str] = []
        for paragraph in re.split(r"\n\s*\n", document.text):
            paragraph = " ".join(paragraph.split())
            if not paragraph:
                continue
            if count_tokens(paragraph) <= chunk_tokens:
                pieces.append(paragraph)
            else:
                pieces.extend(_sentences(paragraph, chunk_tokens))
        current: list[str] = []
        size = 0
        for piece in pieces:
            tokens = count_tokens(piece)
            if current and size + tokens > chunk_tokens:
                found.append(Passage(document.name, " ".join(current)))
                current, size = [], 0
            current.append(piece)
            size += tokens
        if current:
            found.append(Passage(document.name, " ".join(current)))
    return found


def _sentences(paragraph: str, chunk_tokens: int) -> list[str]:
    """A long paragraph as sentences; a sentence longer than a passage is cut by words (or characters)."""
    out: list[str] = []
    for sentence in (s for s in _SENTENCE_END.split(paragraph) if s.strip()):
        if count_tokens(sentence) <= chunk_tokens:
            out.append(sentence)
            continue
        per_token = len(sentence) / count_tokens(sentence)  # cut by characters: linear, even for a 1 MB line
        width = max(1, int(chunk_tokens * per_token))
        out.extend(sentence[start:start + width] for start in range(0, len(sentence), width))
    return out


def documents_digest(paths: Iterable[str | Path]) -> str:
    """SHA-256 over every file the paths hold (names and bytes): whether a resumed run's documents changed."""
    hashed = hashlib.sha256()
    for path in map(Path, paths):
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            hashed.update(f"{file.name}\x1f{file_digest(file) if file.is_file() else 'missing'}\x1e".encode())
    return hashed.hexdigest()


def digest(found: DocumentSet, chunk_tokens: int) -> str:
    """What the index holds, as a name: the same documents cut the same way are indexed once."""
    hashed = hashlib.sha256(f"{chunk_tokens}\x1e".encode())
    for document in found.documents:
        hashed.update(f"{document.name}\x1f{document.text}\x1e".encode())
    return hashed.hexdigest()[:32]
