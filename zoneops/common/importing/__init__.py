"""Registers in and out of Excel: export a template that imports back, preview, then write.

A register (`Register`: 招商项目, 月度调度, ... declared in each app's excel.py) lists its columns —
the Chinese header, the model field, the kind of value, whether it is required — and the key
column(s) that find the stored record, so that a re-import updates instead of duplicating.

- `Register.export` writes the records as a template (zoneops.common.excel): the same headers,
  drop-down lists for coded columns, the key column, a 版本号 column for safe re-imports. It
  streams (`Register.export_to` a file): records read in chunks, rows written as they come, so
  a 100,000-row export takes the memory of a 1,000-row one.
- `import_preview` reads a workbook with python-calamine, or row by row with openpyxl when a
  sheet is larger than ZONEOPS_IMPORT_STREAM_ABOVE_MB (the same cells either way; the sheet and
  the columns found by their headers, in any order, extra columns ignored), checks every cell
  column by column, looks up coded values with one query per column, matches each row to its
  record by the key and tells what would be new, updated or unchanged, with every error by row
  and column. It writes nothing.
- `import_confirm` does the same again — the records may have changed since the preview — and,
  when nothing is wrong, writes everything in one transaction through the register's `write`.
- A large register (`Register.chunked`: projects) is read, checked and written a chunk of rows
  at a time (ZONEOPS_IMPORT_CHUNK_ROWS): the plan keeps of the rows done only what the preview
  shows and the file's keys (a key met twice is an error), and the checked cells kept for the
  confirmation are written and read a chunk at a time (`CellsKeeper`, `cells_load`), so the
  import's own memory does not grow with the file; nor does the reader's, a large sheet being
  streamed.

`ImportBatch` keeps the uploaded file between the two steps (`import_batch_upload`,
`import_batch_confirm`). `bulk_insert` and `bulk_update` write many records with their history
rows and audit fields at the speed a 100,000-row workbook needs: a prepared statement per
table on SQLite, COPY on PostgreSQL, the history rows copied by the database (INSERT ...
SELECT); `bulk_insert_derived` writes the rows that follow from records just written (a
project's first stage move, its placement) the same way, binding only what differs by row.
`zoneops bench import` / `bench export` (zoneops.demo.bench) measure them.

The package, from the bottom up (each module imports only those above it):

- `columns`   a register's columns and the lookups of coded values
- `queries`   many keys in one query; whether the user may read and change each stored row
- `registers` `Register` (columns bound to the model, export, the stored records it finds)
              and `Plan`, what an import of it would do: rows, changes, errors
- `reading`   the workbook's shape checked, the register's sheet and columns found
- `cells`     every cell checked, column by column; the checked cells kept for confirmation
- `matching`  rows matched to the stored records, coded values resolved, each row's changes
- `batches`   preview and confirm, and the uploaded file between them (`ImportBatch`)
- `writer`    many records written at once with their history rows and audit fields

Callers import from the package: the names below are its public face.
"""

from zoneops.common.importing.batches import (
    PREVIEW_KEPT,
    ImportRefusedError,
    import_batch_confirm,
    import_batch_upload,
    import_batches_expire,
    import_confirm,
    import_preview,
    import_upload_check,
)
from zoneops.common.importing.cells import CellsKeeper, cells_load
from zoneops.common.importing.columns import (
    CHOICE,
    LOOKUP,
    Column,
    DepartmentLookup,
    Lookup,
    UserLookup,
)
from zoneops.common.importing.queries import QUERY_CHUNK, key_set, scope_flags
from zoneops.common.importing.reading import MAX_COLUMNS, WORKBOOK_EXTENSIONS, workbook_rows
from zoneops.common.importing.registers import (
    CellError,
    CheckedCells,
    CheckedChunk,
    Existing,
    Plan,
    Register,
    Row,
)
from zoneops.common.importing.writer import (
    WRITE_CHUNK,
    Copied,
    Each,
    bulk_insert,
    bulk_insert_derived,
    bulk_update,
)

__all__ = [
    "CHOICE",
    "LOOKUP",
    "MAX_COLUMNS",
    "PREVIEW_KEPT",
    "QUERY_CHUNK",
    "WORKBOOK_EXTENSIONS",
    "WRITE_CHUNK",
    "CellError",
    "CellsKeeper",
    "CheckedCells",
    "CheckedChunk",
    "Column",
    "Copied",
    "DepartmentLookup",
    "Each",
    "Existing",
    "ImportRefusedError",
    "Lookup",
    "Plan",
    "Register",
    "Row",
    "UserLookup",
    "bulk_insert",
    "bulk_insert_derived",
    "bulk_update",
    "cells_load",
    "import_batch_confirm",
    "import_batch_upload",
    "import_batches_expire",
    "import_confirm",
    "import_preview",
    "import_upload_check",
    "key_set",
    "scope_flags",
    "workbook_rows",
]
