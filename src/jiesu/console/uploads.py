"""Files sent with a console form (the reply's attachments), stored as the public intake
stores them: judged by content, by the city's ``intake_policy.attachments``, named by their
SHA-256 (:mod:`jiesu.intake.attachments`). Works without JavaScript: the form is posted as
``multipart/form-data`` with a plain file input.

The action then refers to the files by SHA-256 exactly as an API client would after
``POST /api/attachments``; if the action is refused, the files it stored newly are taken
back (:func:`jiesu.intake.attachments.forget`), so nothing is left half-done.
"""

from __future__ import annotations

from collections.abc import MutableMapping

from pydantic import BaseModel
from starlette.datastructures import FormData

from jiesu.context import Context
from jiesu.domain.errors import InvalidInput
from jiesu.intake import attachments

from .forms import FILE_FIELDS
from .refusals import Refused

#: Told with a refusal when the form's files were taken back: the browser does not keep them.
NOT_KEPT = "所选附件未保存，请重新选择文件后提交。"


def store(
    ctx: Context, model: type[BaseModel], form: FormData, values: MutableMapping[str, str]
) -> list[attachments.StoredAttachment]:
    """Store the files of the input model's file fields (an action's, an appeal's); add
    their SHA-256s to ``values``."""
    stored: list[attachments.StoredAttachment] = []
    policy = ctx.city.intake_policy.attachments
    for name in FILE_FIELDS & set(model.model_fields):
        uploads = [
            u for u in form.getlist(f"{name}.files") if not isinstance(u, str) and u.filename
        ]
        if not uploads:
            continue
        if len(uploads) > policy.max_files:
            raise InvalidInput(
                "attachment.too_many",
                f"最多上传{policy.max_files}个文件",
                f"At most {policy.max_files} files",
                field=name,
            )
        root = attachments.attachments_dir(ctx)
        staged: list[attachments.StagedFile] = []
        try:
            for upload in uploads:
                upload.file.seek(0)
                staged.append(attachments.stage(root, policy, upload.file, upload.filename or ""))
        except BaseException:
            for item in staged:
                item.discard()
            raise
        got = attachments.commit(ctx, staged)
        stored += got
        known = values.get(name, "").split()
        values[name] = " ".join(dict.fromkeys([*known, *(s.sha256 for s in got)]))
    return stored


def forget(
    ctx: Context, stored: list[attachments.StoredAttachment], values: MutableMapping[str, str]
) -> None:
    """Take back what :func:`store` stored newly for a refused action."""
    if not stored:
        return
    attachments.forget(ctx, [s.sha256 for s in stored if s.new])
    gone = {s.sha256 for s in stored}
    for name in FILE_FIELDS:
        if name in values:
            values[name] = " ".join(v for v in values[name].split() if v not in gone)


def forget_refused(
    ctx: Context,
    stored: list[attachments.StoredAttachment],
    values: MutableMapping[str, str],
    refused: Refused,
) -> Refused:
    """:func:`forget` for a refused form, and the refusal shown with it: if files were
    stored, it says they must be chosen again."""
    forget(ctx, stored, values)
    if stored:
        refused["problem"].messages.append(NOT_KEPT)
    return refused
