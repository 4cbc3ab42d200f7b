"""Reading an upload off the wire into a file of the server's own naming, never past a size limit.

A browser posts a form (multipart, the file and a CSRF field); the notebook's submit cell and
other API clients may post the file itself as the body. Either way the bytes are streamed to a
temporary file in the course folder and the stream is cut off at the limit, so a 2 GB upload costs
at most the limit in disk and a chunk in memory. A declared Content-Length over the limit is
refused before a byte is read. The file name the client sent is kept as text only.

A body must keep coming: one that sends nothing for ``upload_stall_seconds``, or is not done in
``upload_seconds`` (server.yml), is cut off with 408, so slow clients cannot hold the server's
connections for ever. Nothing here holds a database connection while the body arrives.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import AsyncIterator, Iterator

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from autograder.grading.text import storable
from autograder.server.places import AccountPlaces
from autograder.server.upload_refusals import UploadRefused, too_large, too_slow

# What a form adds around the file: boundaries, part headers, the CSRF field.
FORM_OVERHEAD = 64 * 1024
MAX_FIELD_BYTES = 4096
MAX_HEADER_BYTES = 16 * 1024
# A longer name is refused (no file system takes it); a shorter one is shown cut to MAX_SHOWN_CHARS.
MAX_NAME_CHARS, MAX_SHOWN_CHARS = 255, 200
# Where uploads are written while they arrive (in the course folder, so the final rename is atomic).
INCOMING = "uploads/.incoming"
# The header an API client names its file in when it sends the file as the body.
NAME_HEADER = "x-upload-name"
# Uploads one account may be sending at once: each holds a file of up to the size limit on disk
# until it ends, and a student needs one at a time.
MAX_UPLOADS_PER_USER = 2


def _named(raw: str) -> str:
    """``raw`` as the name to show, refusing one no file system would take."""
    if len(raw) > MAX_NAME_CHARS:
        raise UploadRefused(
            400,
            f"文件名太长：最多 {MAX_NAME_CHARS} 个字符，请改名后再上传 · "
            f"the file name is too long: {len(raw)} characters, at most {MAX_NAME_CHARS}; "
            "rename the file and upload it again",
        )
    return shown_name(raw)


def _not_empty(sink: "_Sink") -> None:
    if sink.size == 0:
        raise UploadRefused(
            400,
            "文件是空的：请上传你的 .ipynb 或 export 生成的 zip · "
            "the file is empty: upload your .ipynb or the zip the export cell made",
        )


async def paced(stream: AsyncIterator[bytes], *, stall_s: float, total_s: float) -> AsyncIterator[bytes]:
    """``stream``'s chunks, refused with 408 when none comes for ``stall_s`` seconds or all take over ``total_s``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + total_s
    chunks = aiter(stream)
    while True:
        left = deadline - loop.time()
        if left <= 0:
            raise too_slow(f"超过 {total_s:g} 秒还没传完", f"it was not done in {total_s:g} s")
        try:
            chunk = await asyncio.wait_for(anext(chunks), min(stall_s, left))
        except StopAsyncIteration:
            return
        except TimeoutError:
            if deadline - loop.time() <= 0:
                raise too_slow(f"超过 {total_s:g} 秒还没传完", f"it was not done in {total_s:g} s") from None
            raise too_slow(f"{stall_s:g} 秒没有收到数据", f"nothing arrived for {stall_s:g} s") from None
        yield chunk


@contextmanager
def upload_place(places: AccountPlaces, user_id: int) -> Iterator[None]:
    """One of the MAX_UPLOADS_PER_USER places of ``user_id``'s while inside; refused with 429 when
    they are all taken, before a byte of the body is read."""
    if places.full(user_id):
        raise UploadRefused(
            429,
            f"你已有 {MAX_UPLOADS_PER_USER} 个上传正在进行，请等它们完成后再传 · "
            f"{MAX_UPLOADS_PER_USER} uploads of yours are still arriving: "
            "wait for them to finish, then upload again",
        )
    with places.place(user_id):
        yield


@dataclass
class Upload:
    """An upload on disk: ``path`` (the server's temporary name), its size, the name the client gave."""

    path: Path
    size: int
    name: str
    fields: dict[str, str] = field(default_factory=dict)

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def shown_name(raw: str) -> str:
    """A client's file name as text to show: its last path part, trimmed (it is never a path here)."""
    last = raw.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return storable(last)[:MAX_SHOWN_CHARS] or "upload"


class _Sink:
    """Writes one part's bytes to a file, refusing the upload once they pass ``limit``."""

    def __init__(self, folder: Path, limit: int):
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".part")
        self.path, self.limit, self.size = Path(name), limit, 0
        self.handle = os.fdopen(descriptor, "wb")

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise too_large(self.limit)
        self.handle.write(data)

    def close(self) -> None:
        """Flush the file to the disk: it must survive a crash once the student is told it was received."""
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()


async def read_body(stream: AsyncIterator[bytes], *, folder: Path, limit: int, name: str) -> Upload:
    """The request body itself as the uploaded file."""
    shown = _named(name)
    sink = _Sink(folder, limit)
    try:
        async for chunk in stream:
            sink.write(chunk)
        _not_empty(sink)
        sink.close()
    except BaseException:
        sink.handle.close()
        sink.path.unlink(missing_ok=True)
        raise
    return Upload(sink.path, sink.size, shown)


async def read_form(
    stream: AsyncIterator[bytes], content_type: str, *, folder: Path, limit: int, file_field: str = "file"
) -> Upload:
    """A multipart form's one file (field ``file_field``) and its short text fields."""
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise UploadRefused(400, "请用表单上传文件 · send the file as a multipart form")
    form = _Form(folder, limit, file_field)
    parser = MultipartParser(boundary, form.callbacks(), max_header_size=MAX_HEADER_BYTES)
    try:
        try:
            async for chunk in stream:
                parser.write(chunk)
            parser.finalize()
        except MultipartParseError as error:
            raise UploadRefused(400, f"表单格式不对 · not a valid form: {str(error)[:80]}") from error
        if form.sink is None:
            raise UploadRefused(
                400,
                "没有收到文件：表单里没有带文件名的 file 字段 · "
                "no file was sent: the form has no `file` field with a filename",
            )
        _not_empty(form.sink)
        form.sink.close()
    except BaseException:
        form.abandon()
        raise
    return Upload(form.sink.path, form.sink.size, form.file_name, form.fields)


class _Form:
    """The state of a streaming multipart parse: the current part's headers, its destination."""

    def __init__(self, folder: Path, limit: int, file_field: str):
        self.folder, self.limit, self.file_field = folder, limit, file_field
        self.fields: dict[str, str] = {}
        self.sink: _Sink | None = None
        self.file_name = ""
        self._header_name, self._header_value = b"", b""
        self._headers: dict[bytes, bytes] = {}
        self._field: str | None = None
        self._value = bytearray()
        self._to_file = False

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self._begin,
            "on_header_field": self._name,
            "on_header_value": self._value_part,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_done,
            "on_part_data": self._data,
            "on_part_end": self._end,
        }

    def _begin(self) -> None:
        self._headers, self._field, self._value, self._to_file = {}, None, bytearray(), False

    def _name(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _value_part(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]
        if len(self._header_value) > MAX_HEADER_BYTES:
            raise UploadRefused(400, "表单的头部太长 · a form header is too long")

    def _header_end(self) -> None:
        self._headers[self._header_name.strip().lower()] = self._header_value.strip()
        self._header_name, self._header_value = b"", b""

    def _headers_done(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if name == self.file_field and b"filename" in options:
            if self.sink is not None:
                raise UploadRefused(400, "一次只能上传一个文件 · upload one file at a time")
            self.file_name = _named(options[b"filename"].decode("utf-8", "replace"))
            self.sink = _Sink(self.folder, self.limit)
            self._to_file = True
        else:
            self._field = name

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._to_file:
            self.sink.write(data[start:end])
            return
        self._value += data[start:end]
        if len(self._value) > MAX_FIELD_BYTES:
            raise UploadRefused(400, "表单的字段太长 · a form field is too long")

    def _end(self) -> None:
        if self._field is not None and len(self.fields) < 10:
            self.fields[self._field] = self._value.decode("utf-8", "replace")

    def abandon(self) -> None:
        if self.sink is not None:
            self.sink.handle.close()
            self.sink.path.unlink(missing_ok=True)


async def read_upload(request, course, offered, *, form_only: bool = False) -> Upload:
    """The file ``request`` carries for ``offered`` (a form, or, unless ``form_only``, the body
    itself), within its size limit and the course's upload times."""
    limit = offered.rules.max_upload_bytes
    content_type = request.headers.get("content-type", "")
    form = form_only or content_type.startswith("multipart/form-data")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + (FORM_OVERHEAD if form else 0):
        raise too_large(limit)  # refused before a byte of it is read
    folder = course.folder / INCOMING
    times = course.settings
    stream = paced(request.stream(), stall_s=times.upload_stall_seconds, total_s=times.upload_seconds)
    if form:
        return await read_form(stream, content_type, folder=folder, limit=limit)
    return await read_body(stream, folder=folder, limit=limit, name=_utf8(request.headers.get(NAME_HEADER, "upload")))


def _utf8(header: str) -> str:
    """A header's text as the client meant it: headers are read as Latin-1, but curl and most clients send
    a name like 逻辑回归.ipynb as its UTF-8 bytes, which read as Latin-1 would show as mojibake."""
    try:
        return header.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return header
