"""How much the web and the API take in (DESIGN.md invariant 8; OWASP ASVS 5.0 V5.2.1): a whole
request at most ``QUANYI_MAX_UPLOAD_MB`` (an import file is the largest thing anyone sends), an
attachment at most ``QUANYI_MAX_ATTACHMENT_MB``. Files given to the CLI have no such limit."""

from __future__ import annotations

from enum import StrEnum

from django.core.files.uploadedfile import UploadedFile

from quanyi.core.errors import QuanyiError

MB = 1024 * 1024


class Upload(StrEnum):
    REQUEST = "request"
    IMPORT = "import"
    ATTACHMENT = "attachment"


_WHAT = {
    Upload.REQUEST: ("请求", "a request"),
    Upload.IMPORT: ("导入文件", "an import file"),
    Upload.ATTACHMENT: ("附件", "an attachment"),
}


class TooLarge(QuanyiError):
    code = "too_large"


def limit_mb(kind: Upload) -> int:
    from django.conf import settings

    if kind is Upload.ATTACHMENT:
        return int(settings.QUANYI_MAX_ATTACHMENT_MB)
    return int(settings.QUANYI_MAX_UPLOAD_MB)


def too_large(kind: Upload, name: str = "") -> TooLarge:
    zh, en = _WHAT[kind]
    limit = limit_mb(kind)
    named_zh, named_en = (f"{zh}「{name}」", f"{en} ({name})") if name else (zh, en)
    return TooLarge(
        f"上传内容过大：{named_zh}不得超过 {limit} MB",
        f"upload too large: {named_en} may be at most {limit} MB",
    )


def check_length(kind: Upload, size: int, name: str = "") -> None:
    if size > limit_mb(kind) * MB:
        raise too_large(kind, name)


def read(upload: UploadedFile, kind: Upload) -> bytes:
    """The file's content, once its size is within the limit for its kind."""
    name = upload.name or ""
    check_length(kind, upload.size or 0, name)
    content: bytes = upload.read()
    check_length(kind, len(content), name)
    return content
