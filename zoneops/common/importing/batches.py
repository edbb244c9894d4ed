"""The two steps of an import — `import_preview` (what would happen, nothing written) and
`import_confirm` (checked again, written in one transaction) — and `ImportBatch`, which keeps
the uploaded file between them (`import_batch_upload`, `import_batch_confirm`)."""

import gc
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta
from typing import Any, BinaryIO

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from zoneops.common.exceptions import ApplicationError, PermissionDeniedError, TooLargeError
from zoneops.common.files import delete_on_commit, extension, megabytes, original_name
from zoneops.common.importing.cells import CellsKeeper, cells_load, check_cells
from zoneops.common.importing.matching import match_rows, remember_labels
from zoneops.common.importing.reading import WORKBOOK_EXTENSIONS
from zoneops.common.importing.registers import (
    SHOWN_ERRORS,
    CellError,
    CheckedCells,
    Plan,
    Register,
)
from zoneops.common.inputs import text_error
from zoneops.common.job_services import job_progress

# How long a preview that nobody confirms keeps its file (removed at a later upload).
PREVIEW_KEPT = timedelta(hours=24)


@contextmanager
def _no_collection() -> Iterator[None]:
    """Python's cycle collector paused while an import holds its rows: an import makes no
    cycles, and each collection would walk every row's values again (a third of the time of
    a 100,000-row import). Nothing made for a chunk may be left in a cycle: it would stay
    until the import ends (`Plan.chunk_kept` is let go with each chunk, `Plan.kept` is not)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def import_preview(
    *, register: Register, data: bytes, user: Any, keep_cells: BinaryIO | None = None
) -> Plan:
    """What importing the workbook would do, with every error by row and column. Writes nothing.
    With `keep_cells`, the checked cells are written there when the file has no error, for the
    confirmation (`cells_load`)."""
    with _no_collection():
        return _preview(register=register, data=data, user=user, keep_cells=keep_cells)


def _preview(
    *, register: Register, data: bytes, user: Any, keep_cells: BinaryIO | None = None
) -> Plan:
    plan = Plan(register=register)
    checked = check_cells(register, data, plan)
    if checked is None:
        return plan
    keeper = CellsKeeper(register, data, keep_cells) if keep_cells is not None else None
    try:
        if register.dry_run:
            # The register writes row by row through services that hold rules of their own:
            # the preview runs them and rolls everything back, so it reports what they would
            # refuse.
            with transaction.atomic():
                _run(register, checked, plan, user=user, lock=False, write="", keeper=keeper)
                transaction.set_rollback(True)
            plan.written = {}
        else:
            _run(register, checked, plan, user=user, lock=False, keeper=keeper)
        if keeper is not None and not plan.errors:
            keeper.finish(checked, plan.seen_keys)
    finally:
        if keeper is not None:
            keeper.close()
    return plan


def _run(
    register: Register,
    checked: CheckedCells,
    plan: Plan,
    *,
    user: Any,
    lock: bool,
    write: str | None = None,
    fingerprint: str = "",
    keeper: CellsKeeper | None = None,
) -> None:
    """The rows a chunk at a time (`Register.chunk_rows`): matched and checked, and — given a
    reason to `write` — written while no error has been found; only what the preview shows and
    the file's keys stay from one chunk to the next. `fingerprint` is the preview's: checked
    before the last chunk is written."""
    plan.file_keys = checked.keys
    chunks = iter(checked.chunks)
    chunk = next(chunks, None)
    done = 0
    stage = _("正在写入") if write is not None else _("正在检查")
    while chunk is not None:
        # A background import's bar moves a chunk at a time (nothing outside a job).
        job_progress(done=done, stage=stage)
        done += len(chunk.numbers)
        plan.close_chunk()
        if keeper is not None:
            keeper.add(checked, chunk)
        match_rows(register, chunk, plan, user=user, lock=lock)
        chunk = next(chunks, None)  # the next one read first: is this one the last?
        if chunk is None and fingerprint and fingerprint != plan.fingerprint and not plan.errors:
            plan.error(
                0,
                "",
                "",
                _("文件中的部分记录在预览之后被修改过，请重新上传，看过新的预览后再确认。"),
            )
        if write is not None and not plan.errors:
            started = time.perf_counter()
            before, plan.written = plan.written, {}
            register.write(plan, by=user, reason=write)
            for name, count in before.items():
                plan.written[name] = plan.written.get(name, 0) + count
            plan.timings["write"] = plan.timings.get("write", 0.0) + time.perf_counter() - started
    job_progress(done=done)
    remember_labels(plan)


def import_confirm(
    *,
    register: Register,
    data: bytes,
    user: Any,
    reason: str = "",
    checked: CheckedCells | None = None,
    fingerprint: str = "",
) -> Plan:
    """Check again and, when nothing is wrong, write every row in one transaction. `checked`
    are the cells the preview read from the same file (`cells_load`: the file has not changed,
    so only what depends on the stored records is checked again); `fingerprint` is the
    preview's: when a record the file names has changed since, nothing is written and the file
    must be previewed again, so that no one's edit is overwritten unseen."""
    with _no_collection():
        if checked is not None or register.chunk_rows() is None:
            return _confirm(
                register=register,
                data=data,
                user=user,
                reason=reason,
                checked=checked,
                fingerprint=fingerprint,
            )
        # A chunked register writes a chunk before it has read the next: it needs the file's
        # keys first (`Plan.keys_in_file`), which the preview's kept cells hold.
        with tempfile.TemporaryFile() as kept:
            plan = _preview(register=register, data=data, user=user, keep_cells=kept)
            if plan.errors:
                return plan
            kept.seek(0)
            return _confirm(
                register=register,
                data=data,
                user=user,
                reason=reason,
                checked=cells_load(register, kept, data),
                fingerprint=fingerprint,
            )


def _confirm(
    *,
    register: Register,
    data: bytes,
    user: Any,
    reason: str,
    checked: CheckedCells | None,
    fingerprint: str,
) -> Plan:
    plan = Plan(register=register)
    if checked is None:
        checked = check_cells(register, data, plan)
        if checked is None:
            return plan
    else:
        plan.sheet, plan.header_row = checked.sheet, checked.header_row
        plan.ignored = checked.ignored
        plan.columns = [c for c in checked.present if c is not register.version_column]
        plan.checked = checked
    outermost = not transaction.get_connection().in_atomic_block
    with transaction.atomic():
        _run(
            register,
            checked,
            plan,
            user=user,
            lock=True,
            write=reason or register.reason(""),
            fingerprint=fingerprint,
        )
        if plan.errors:
            transaction.set_rollback(True)
            plan.written = {}
        committing = time.perf_counter()
    if outermost and not plan.errors:
        plan.timings["commit"] = time.perf_counter() - committing
    if checked.timings:
        plan.timings = {**checked.timings, **plan.timings}
    return plan


def _check_upload(*, filename: str, size: int) -> None:
    """An uploaded workbook's name and size, checked before it is read: a file over the limit
    (ZONEOPS_IMPORT_MAX_BYTES) is refused (413 at the API) without loading it."""
    problem = text_error(filename)
    if problem:
        raise ApplicationError(
            _("文件名中含有特殊字符（如换行符或看不见的控制字符），请将文件重命名后再上传。"),
            field="file",
        )
    kind = extension(filename)
    if kind == "xls":
        raise ApplicationError(
            _("不能导入 .xls 文件（Excel 97-2003 格式）：请在 Excel 中另存为 .xlsx 后再上传。"),
            field="file",
        )
    if kind not in WORKBOOK_EXTENSIONS:
        raise ApplicationError(
            _("只能导入 Excel 文件（%(kinds)s）。")
            % {"kinds": get_text_list([f".{kind}" for kind in WORKBOOK_EXTENSIONS])},
            field="file",
        )
    limit = settings.ZONEOPS_IMPORT_MAX_BYTES
    if size > limit:
        raise TooLargeError(
            _("文件过大（%(size)s MB），请分批导入，每个文件不超过 %(limit)s MB。")
            % {"size": megabytes(size, over=True), "limit": megabytes(limit)},
            field="file",
        )
    if not size:
        raise ApplicationError(_("文件是空的：请上传填写好的 Excel 文件（.xlsx）。"), field="file")


def import_upload_check(*, register: Register, filename: str, size: int, by: Any) -> None:
    """Whether `by` may import into the register, and the upload's name and size: refused
    (PermissionDeniedError, ApplicationError on `file`) before the file is read or kept."""
    created, updated = register.permissions(by)
    if not (created or updated):
        raise PermissionDeniedError()
    _check_upload(filename=filename, size=size)


def import_batch_upload(*, register: Register, filename: str, data: bytes | File, by: Any) -> Any:
    """Keep the uploaded workbook with its preview; nothing else is written.

    Who may import comes first; then a file that is not a workbook of the register (its name,
    its size, its content) is refused and nothing is kept — an upload (`data` as the File the
    edge received) over the limit without being read; a workbook whose rows have errors keeps
    its preview, not the file.
    """

    import_upload_check(
        register=register,
        filename=filename,
        size=len(data) if isinstance(data, bytes) else data.size,
        by=by,
    )
    content: bytes = data if isinstance(data, bytes) else data.read()
    with tempfile.TemporaryFile() as kept:
        plan = import_preview(register=register, data=content, user=by, keep_cells=kept)
        if plan.checked is None:  # not a workbook, or not this register's: nothing to preview
            raise ApplicationError(" ".join(error.message for error in plan.errors), field="file")
        kept.seek(0)
        return _keep_batch(register, filename, content, plan, kept, by=by)


def _keep_batch(
    register: Register, filename: str, content: bytes, plan: Plan, kept: BinaryIO, *, by: Any
) -> Any:
    from zoneops.common.models import ImportBatch

    import_batches_expire(before=timezone.now() - PREVIEW_KEPT)
    batch = ImportBatch(
        register=register.name,
        filename=original_name(filename),
        uploaded_by=by if getattr(by, "pk", None) else None,
        summary=plan.summary(),
    )
    if not plan.errors:
        # Stored under a random name by the field (common.models.import_file_path).
        batch.file.save(filename, ContentFile(content), save=False)
        # The confirmation then checks only what depends on the stored records.
        batch.file.storage.save(_cells_name(batch), File(kept))
    batch.save()
    return batch


def import_batches_expire(*, before: datetime) -> int:
    """Drop the files of previews uploaded before `before` and never confirmed; their batches
    stay, with their summary, and can no longer be confirmed. How many were dropped."""
    from zoneops.common.models import ImportBatch

    stale = ImportBatch.objects.filter(
        status=ImportBatch.Status.PREVIEWED, uploaded_at__lt=before
    ).exclude(file="")
    dropped = list(stale.values_list("pk", "file"))
    if not dropped:
        return 0
    ImportBatch.objects.filter(pk__in=[pk for pk, _name in dropped]).update(file="")
    delete_on_commit(
        ImportBatch._meta.get_field("file").storage,  # type: ignore[attr-defined]
        [stored for _pk, name in dropped for stored in (name, f"{name}.cells.json")],
    )
    return len(dropped)


def _cells_name(batch: Any) -> str:
    return f"{batch.file.name}.cells.json"


class ImportRefusedError(ApplicationError):
    """A confirmation that found errors (the file's own, or records changed since the preview):
    nothing was written. `plan` holds every error; `errors` the first ones, by row and column."""

    def __init__(self, errors: list[CellError], *, count: int | None = None) -> None:
        ordered = sorted(errors, key=lambda error: error.row)
        count = len(ordered) if count is None else count
        if count == 1 and ordered:
            reason = _where(ordered[0]) + ordered[0].message
        else:
            reason = _("文件中有 %(count)s 处错误，请改正后重新上传。") % {"count": count}
        super().__init__(
            _("没有导入，未写入任何数据。%(reason)s") % {"reason": reason},
            field="file",
            code="import_refused",
            errors=[
                {
                    "field": "file",
                    "row": error.row or None,
                    "column": error.column or None,
                    "value": error.value,
                    "message": error.message,
                }
                for error in ordered[:SHOWN_ERRORS]
            ],
        )


def _where(error: CellError) -> str:
    if not error.row:
        return ""
    if not error.column:
        return _("第%(row)s行：") % {"row": error.row}
    return _("第%(row)s行“%(column)s”：") % {"row": error.row, "column": error.column}


def import_batch_confirm(*, batch: Any, register: Register, by: Any) -> Plan:
    """Write the batch's workbook, checked again; a batch is imported once. With errors it
    raises ImportRefusedError and writes no record; the batch keeps the errors for its page."""
    from zoneops.common.models import ImportBatch

    if batch.uploaded_by_id != getattr(by, "pk", None):
        raise PermissionDeniedError()
    if batch.status != ImportBatch.Status.PREVIEWED:
        raise ApplicationError(_("该文件已经导入过了。"), code="imported")
    if not batch.file:
        count = batch.summary.get("counts", {}).get("errors")
        if count:  # a preview with errors keeps its reasons, not the file
            kept = [CellError(*error) for error in batch.summary.get("errors", [])]
            raise ImportRefusedError(kept, count=count)
        raise ApplicationError(
            _("没有导入：预览已过期，请重新上传文件。"), field="file", code="not_kept"
        )
    started = time.perf_counter()
    with batch.file.open("rb") as handle:
        data = handle.read()
    storage, cells_name = batch.file.storage, _cells_name(batch)
    loaded = time.perf_counter() - started
    with ExitStack() as stack:
        # The kept cells are read a chunk at a time while the rows are written.
        cells = (
            stack.enter_context(storage.open(cells_name, "rb"))
            if storage.exists(cells_name)
            else None
        )
        checked = cells_load(register, cells, data) if cells is not None else None
        plan = _confirm_batch(batch, register, data, checked, by=by)
    if checked is not None:
        plan.timings["load"] = plan.timings.get("load", 0.0) + loaded
    batch.refresh_from_db()
    if plan.errors:
        raise ImportRefusedError(plan.errors, count=plan.counts["errors"])
    if storage.exists(cells_name):
        storage.delete(cells_name)
    return plan


def _confirm_batch(
    batch: Any, register: Register, data: bytes, checked: CheckedCells | None, *, by: Any
) -> Plan:
    from zoneops.common.models import ImportBatch

    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportBatch.Status.PREVIEWED:
            raise ApplicationError(_("该文件已经导入过了。"), code="imported")
        plan = import_confirm(
            register=register,
            data=data,
            user=by,
            reason=register.reason(batch.filename),
            checked=checked,
            fingerprint=batch.summary.get("fingerprint", ""),
        )
        locked.summary = plan.summary()
        if not plan.errors:
            locked.status = ImportBatch.Status.IMPORTED
            locked.imported_at = timezone.now()
        locked.save(update_fields=["summary", "status", "imported_at"])
        committing = time.perf_counter()
    if not plan.errors:
        plan.timings["commit"] = time.perf_counter() - committing
    return plan
