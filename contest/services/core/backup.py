"""Backups that restore: a consistent snapshot of every table and every upload, on either engine.

A backup is one .zip file:

- ``manifest.json``: the format, the schema revision (Alembic), when and from which engine it was
  taken, and each table's row count;
- ``tables/<name>.jsonl``: every row of every table, one JSON object per line, each value encoded
  by its column's type (dates and times as ISO text with their offset, decimals as text so no
  digit is lost, binary — the encrypted ID and phone numbers — as base64);
- ``uploads/…``: the files under the upload folder (photos, attachments).

It is read inside one repeatable-read transaction, so it is consistent while the server keeps
running (SQLite's WAL keeps writers going; PostgreSQL's snapshot isolation does the same), and
because the format is the engine's neutral ground, a backup taken on SQLite restores into
PostgreSQL and back. Encrypted columns travel as they are: the backup is useless without the
data key (``CONTEST_DATA_KEY``), which must be kept with it, and apart from it.

Restore refuses a backup from a newer schema than this code knows and a database that already
holds data (unless forced); it builds the schema at the backup's revision, loads every row,
resets PostgreSQL's id sequences and upgrades to the current schema. The audit trail's hash
chain comes back byte for byte, so ``contest audit verify`` passes on the restored database.
"""

from __future__ import annotations

import base64
import enum
import json
import os
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import upgrade
from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    Enum,
    LargeBinary,
    Numeric,
    Table,
    func,
    inspect,
    select,
    text,
)

from contest.extensions import db

FORMAT = 1
MANIFEST = "manifest.json"
BATCH = 1_000


class BackupError(RuntimeError):
    """A backup or restore was refused; the message says why, in the operator's language."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    revision: str
    tables: dict[str, int]
    uploads: int


# ------------------------------------------------------------------ values


def _encode(column_type: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, enum.Enum):
        return value.name  # what the column stores (non-native enums keep the member's name)
    if isinstance(column_type, DateTime) and isinstance(value, datetime):
        if value.tzinfo is None and column_type.timezone:
            value = value.replace(tzinfo=UTC)  # SQLite hands back the stored UTC time naive
        return value.isoformat()
    if isinstance(column_type, Date) and isinstance(value, date):
        return value.isoformat()
    if isinstance(column_type, Numeric) and isinstance(value, Decimal | float | int):
        return str(value)
    if isinstance(column_type, LargeBinary):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decode(column_type: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column_type, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column_type, Date):
        return date.fromisoformat(value)
    if isinstance(column_type, Numeric):
        return Decimal(value)
    if isinstance(column_type, LargeBinary):
        return base64.b64decode(value)
    if isinstance(column_type, Enum) and column_type.enum_class is not None:
        return column_type.enum_class[value]
    return value


# ------------------------------------------------------------------ schema


def _migrations() -> ScriptDirectory:
    return ScriptDirectory(str(Path(current_app.extensions["migrate"].directory)))


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _tables() -> list[Table]:
    return list(db.metadata.sorted_tables)


def _primary_key_order(table: Table) -> list[Any]:
    return list(table.primary_key.columns) or list(table.columns)


# ------------------------------------------------------------------ backup


def _rows(conn: Connection, table: Table) -> Iterator[dict[str, Any]]:
    columns = list(table.columns)
    result = conn.execution_options(yield_per=BATCH).execute(
        select(table).order_by(*_primary_key_order(table))
    )
    for row in result:
        yield {c.name: _encode(c.type, row._mapping[c]) for c in columns}


def _upload_files(folder: Path | None) -> Iterator[tuple[Path, str]]:
    if folder is None or not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path, path.relative_to(folder).as_posix()


def create_backup(target: Path, *, uploads: Path | None = None) -> BackupSummary:
    """Write a consistent backup of the database (and ``uploads``) to ``target``.

    The file is written beside the target and renamed when complete, so a failed backup never
    leaves a half file under the name an operator will trust.
    """
    target = Path(target)
    counts: dict[str, int] = {}
    handle, partial = tempfile.mkstemp(prefix=".backup-", suffix=".zip", dir=target.parent)
    os.close(handle)
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            with db.engine.connect() as conn:
                if conn.dialect.name == "postgresql":
                    conn = conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    revision = current_revision(conn)
                    if revision is None:
                        raise BackupError("数据库尚未初始化（请先运行 contest init）")
                    for table in _tables():
                        count = 0
                        with archive.open(f"tables/{table.name}.jsonl", "w") as member:
                            for row in _rows(conn, table):
                                line = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
                                member.write(line.encode("utf-8") + b"\n")
                                count += 1
                        counts[table.name] = count
                    engine = conn.dialect.name
            files = 0
            for path, name in _upload_files(uploads):
                archive.write(path, f"uploads/{name}")
                files += 1
            manifest = {
                "format": FORMAT,
                "revision": revision,
                "engine": engine,
                "created_at": datetime.now().astimezone().isoformat(),
                "tables": counts,
                "uploads": files,
            }
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return BackupSummary(path=target, revision=revision, tables=counts, uploads=files)


# ------------------------------------------------------------------ restore


def read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except (KeyError, ValueError):
        raise BackupError("不是本系统的备份文件（缺少 manifest.json）") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份文件格式 {manifest.get('format')} 无法识别")
    return dict(manifest)


def _known(revision: str) -> bool:
    return any(script.revision == revision for script in _migrations().walk_revisions())


def database_has_data(conn: Connection) -> bool:
    existing = set(inspect(conn).get_table_names())
    for table in _tables():
        if (
            table.name in existing
            and conn.execute(select(func.count()).select_from(table)).scalar()
        ):
            return True
    return False


def _self_reference_order(table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows ordered so a row's parent (a foreign key into the same table) comes first: after a
    subtree moves, a union's parent may have a larger id than the union itself."""
    self_keys = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    if not self_keys or len(table.primary_key.columns) != 1:
        return rows
    key = next(iter(table.primary_key.columns)).name
    by_id = {row[key]: row for row in rows}
    ordered: list[dict[str, Any]] = []
    placed: set[Any] = set()

    def place(row: dict[str, Any], depth: int = 0) -> None:
        if row[key] in placed or depth > len(rows):
            return
        for column in self_keys:
            parent = by_id.get(row.get(column))
            if parent is not None and parent is not row:
                place(parent, depth + 1)
        placed.add(row[key])
        ordered.append(row)

    for row in rows:
        place(row)
    return ordered


def _read_table(archive: zipfile.ZipFile, table: Table) -> list[dict[str, Any]]:
    name = f"tables/{table.name}.jsonl"
    if name not in archive.namelist():
        return []
    types = {c.name: c.type for c in table.columns}
    rows = []
    with archive.open(name) as member:
        for line in member:
            raw = json.loads(line)
            rows.append({k: _decode(types[k], v) for k, v in raw.items() if k in types})
    return rows


def _batches(rows: list[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def _reset_sequences(conn: Connection) -> None:
    if conn.dialect.name != "postgresql":
        return
    for table in _tables():
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not keys[0].autoincrement or keys[0].type.python_type is not int:
            continue
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{keys[0].name}'), "
                f'COALESCE(MAX("{keys[0].name}"), 1), MAX("{keys[0].name}") IS NOT NULL) '
                f'FROM "{table.name}"'
            )
        )


def _extract_uploads(archive: zipfile.ZipFile, folder: Path | None) -> int:
    if folder is None:
        return 0
    count = 0
    root = folder.resolve()
    for name in archive.namelist():
        if not name.startswith("uploads/") or name.endswith("/"):
            continue
        relative = PurePosixPath(name).relative_to("uploads")
        destination = (root / relative).resolve()
        if root not in destination.parents:  # a crafted name ("../../etc") stays out
            raise BackupError(f"备份中的文件路径不安全：{name}")
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(archive.read(name))
        count += 1
    return count


def restore_backup(
    source: Path, *, force: bool = False, uploads: Path | None = None
) -> BackupSummary:
    """Replace the database's content with the backup's (see the module docstring)."""
    try:
        archive = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile):
        raise BackupError("无法读取备份文件（文件不存在、已损坏或不是 .zip）") from None
    with archive:
        manifest = read_manifest(archive)
        revision = str(manifest["revision"])
        if not _known(revision):
            raise BackupError(f"备份来自更新版本的数据库结构（{revision}），请先升级本系统再恢复")
        with db.engine.connect() as conn:
            has_data = database_has_data(conn)
        if has_data and not force:
            raise BackupError("目标数据库已有数据；确认要覆盖时请加 --force")
        db.session.remove()
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(revision=revision)
        counts: dict[str, int] = {}
        with db.engine.begin() as conn:
            for table in _tables():
                rows = _self_reference_order(table, _read_table(archive, table))
                for batch in _batches(rows):
                    conn.execute(table.insert(), batch)
                counts[table.name] = len(rows)
            _reset_sequences(conn)
        upgrade()
        files = _extract_uploads(archive, uploads)
    return BackupSummary(path=Path(source), revision=revision, tables=counts, uploads=files)
