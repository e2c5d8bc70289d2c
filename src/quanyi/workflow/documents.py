"""Documents a case rests on (a written application, an authorisation, a receipt): the payload
names one of the files the case carries by its SHA-256, and the approval finds it still there."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, ClassVar

from pydantic import Field

from quanyi.core.errors import InvalidInput
from quanyi.workflow.models import Attachment

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
DocumentName = Annotated[str, Field(max_length=255)]


GENERIC_MISSING = (
    "须附作为依据的书面文件（扫描件）",
    "attach the written document the case rests on",
)


class RestsOnDocument:
    """Mix into a case type whose payload names the written document it rests on (an
    application, an authorisation): intake takes it from the case's files, and ``missing``
    says, in both languages, which document a case without one lacks."""

    missing: ClassVar[tuple[str, str]] = GENERIC_MISSING

    def attached(
        self, data: Mapping[str, Any], files: Sequence[tuple[str, str]]
    ) -> Mapping[str, Any]:
        return with_document(data, files, self.missing)


def with_document(
    data: Mapping[str, Any],
    files: Sequence[tuple[str, str]],
    missing: tuple[str, str] = GENERIC_MISSING,
) -> dict[str, Any]:
    """The payload naming the document it rests on (``document_sha256``, ``document_name``):
    the one given must be among the files the case carries; none given, the only file it
    carries is taken."""
    given = data.get("document_sha256")
    if not files:
        raise InvalidInput.one(
            "document_sha256",
            "no_document",
            *missing,
        )
    if given in (None, ""):
        if len(files) > 1:
            raise InvalidInput.one(
                "document_sha256",
                "which_document",
                "附件不止一个，须填写作为依据的单据的 SHA-256 摘要",
                "several files are attached: give the SHA-256 of the source document",
            )
        name, sha = files[0]
    else:
        wanted = str(given).strip().lower()
        matching = [(n, s) for n, s in files if s == wanted]
        if not matching:
            raise InvalidInput.one(
                "document_sha256",
                "not_attached",
                "单据的 SHA-256 摘要与所附文件均不相符",
                "the document's SHA-256 matches no attached file",
            )
        name, sha = matching[0]
    return {**data, "document_sha256": sha, "document_name": name}


def carried(case_id: int | None, sha: str | None) -> str:
    """The name of the case's attachment with content ``sha``, or a refusal: the decision
    rests on a document the case carries."""
    found = (
        Attachment.objects.filter(case_id=case_id, sha256=sha)
        .values_list("file_name", flat=True)
        .first()
        if case_id is not None and sha
        else None
    )
    if found is None:
        raise InvalidInput.one(
            "document_sha256",
            "not_attached",
            "业务件未附作为依据的单据",
            "the case does not carry the source document",
        )
    return str(found)
