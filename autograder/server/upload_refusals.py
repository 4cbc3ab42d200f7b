"""Why an upload is not taken: one error type, its HTTP status, and its message in both languages."""

from __future__ import annotations


class UploadRefused(Exception):
    """The upload cannot be taken; ``status`` is the HTTP status, the message is in both languages."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status

    def closing(self, response):
        """``response``, closing the connection when the upload was cut off: otherwise the server
        would go on reading (and dropping) the rest of it, however large."""
        if self.status in (408, 413, 429, 507):
            response.headers["connection"] = "close"
        return response


def too_large(limit: int) -> UploadRefused:
    return UploadRefused(
        413, f"文件太大：上限为 {limit / 2**20:g} MB · the file is too large: the limit is {limit / 2**20:g} MB"
    )


def too_slow(why_zh: str, why_en: str) -> UploadRefused:
    return UploadRefused(
        408, f"上传太慢：{why_zh}，请换个网络再试 · the upload was too slow: {why_en}; try again on a better connection"
    )
