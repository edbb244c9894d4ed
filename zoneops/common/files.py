"""Uploaded files: stored under random names, served only to whoever may read their record.

A model keeps an upload in a `ProtectedFileField` or `ProtectedImageField`: the field names the
record whose data scope governs the file (`owner`, a path from the model, or the record itself)
and the field that keeps the name the user gave it (`name_field`). Its `FieldFile.url` is the one
view that serves stored files (`zoneops.common.views.stored_file`, under /files/), so the admin's
links and every other link follow; that view answers only a signed-in user who may view the
owning record (the role's permission and the data scope), and 404 to anyone else. Nothing under
MEDIA_ROOT is served any other way.
"""

import math
import re
import unicodedata
import uuid
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.fields.files import FieldFile, ImageFieldFile
from django.urls import reverse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

# What a stored file is sent as, by its (our own) extension; images are shown in the browser,
# anything else is downloaded, and a kind not listed goes as bytes to download.
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    "xls": "application/vnd.ms-excel",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
SHOWN_INLINE = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
# The photo formats accepted (what Pillow reports → the stored extension).
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}

_EXTENSION = re.compile(r"[a-z0-9]{1,8}")


def extension(name: str) -> str:
    """A file name's extension, lower case, or "" when it has none worth keeping."""
    suffix = PurePosixPath(name).suffix.lower().lstrip(".")
    return suffix if _EXTENSION.fullmatch(suffix) else ""


def random_name(filename: str) -> str:
    """A random file name with the given name's extension (never the user's own name)."""
    suffix = extension(filename)
    return f"{uuid.uuid4().hex}.{suffix}" if suffix else uuid.uuid4().hex


def original_name(name: str) -> str:
    """The name a user gave a file, as kept and offered back: no folders, no control
    characters, at most 200 characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    if len(base) > 200:
        suffix = extension(base)
        base = base[: 200 - len(suffix) - 1] + "." + suffix if suffix else base[:200]
    return base


@deconstructible
class RandomName:
    """`upload_to` for a folder (strftime codes allowed): a random name in it, keeping only the
    extension of the name it is given."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __call__(self, instance: Any, filename: str) -> str:
        return timezone.localtime().strftime(self.folder) + random_name(filename)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RandomName) and other.folder == self.folder

    def __hash__(self) -> int:
        return hash(self.folder)


def stored_file_url(instance: models.Model, field_name: str) -> str:
    return reverse(
        "stored_file",
        kwargs={"model": instance._meta.label_lower, "pk": instance.pk, "field": field_name},
    )


class ProtectedFieldFile(FieldFile):
    @property
    def url(self) -> str:
        self._require_file()
        return stored_file_url(self.instance, self.field.name)


class ProtectedImageFieldFile(ImageFieldFile):
    @property
    def url(self) -> str:
        self._require_file()
        return stored_file_url(self.instance, self.field.name)


class ProtectedFileMixin:
    """`owner`: the path (with __) from the model to the record whose scope governs the file,
    "" for the record itself; `name_field`: the field keeping the user's name for the file."""

    def __init__(self, *args: Any, owner: str = "", name_field: str = "", **kwargs: Any):
        self.owner = owner
        self.name_field = name_field
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()  # type: ignore[misc]
        if self.owner:
            kwargs["owner"] = self.owner
        if self.name_field:
            kwargs["name_field"] = self.name_field
        return name, path, args, kwargs


class ProtectedFileField(ProtectedFileMixin, models.FileField):
    attr_class = ProtectedFieldFile


class ProtectedImageField(ProtectedFileMixin, models.ImageField):
    attr_class = ProtectedImageFieldFile


def delete_on_commit(storage: Any, names: Iterable[str | None]) -> None:
    """Remove stored files once the transaction that let go of them commits (a rollback keeps
    the record, and so its file)."""
    doomed = [name for name in names if name]
    if doomed:
        transaction.on_commit(lambda: [storage.delete(name) for name in doomed])


def content_type(name: str) -> str:
    return CONTENT_TYPES.get(extension(name), "application/octet-stream")


def megabytes(size: int, *, over: bool = False) -> str:
    """A size in MB as a message says it: one decimal, none when whole (10, 2.5). A size `over`
    a limit is rounded up, so that 10.02 MB over a 10 MB limit reads 10.1, never 10."""
    tenths = size * 10 / 2**20
    tenths = math.ceil(tenths) if over else round(tenths)
    return f"{tenths // 10}" if tenths % 10 == 0 else f"{tenths / 10:.1f}"


def image_check(upload: Any, *, field: str) -> str:
    """An uploaded photo's stored extension; ValidationError on `field` when it is too big or
    not a JPEG, PNG, GIF or WebP image (read, not guessed from its name)."""
    from PIL import Image

    limit = settings.ZONEOPS_PHOTO_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            {
                field: _("照片过大（%(size)s MB），不能超过 %(limit)s MB。")
                % {"size": megabytes(upload.size, over=True), "limit": megabytes(limit)}
            }
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except Exception as error:  # Pillow raises many kinds on a file that is not an image
        raise ValidationError(
            {field: _("无法识别该文件：请上传 JPEG、PNG、GIF 或 WebP 格式的照片。")}
        ) from error
    finally:
        upload.seek(0)
    if kind not in IMAGE_FORMATS:
        raise ValidationError({field: _("请上传 JPEG、PNG、GIF 或 WebP 格式的照片。")})
    return IMAGE_FORMATS[kind]
