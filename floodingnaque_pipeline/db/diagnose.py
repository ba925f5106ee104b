"""Find the row of a staged batch that the target table will refuse, and describe it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import CheckConstraint, Connection, ForeignKeyConstraint, Table, text


def describe_offending_row(
    connection: Connection, table: Table, stage: str, columns: Sequence[str], key: Sequence[str]
) -> str:
    """Probe the stage with one query per constraint; '' when every row passes them all."""
    column_list = ", ".join(columns)
    key_list = ", ".join(key)
    probes: list[tuple[str, str]] = [
        (
            f"SELECT {column_list} FROM {stage} WHERE ({key_list}) IN "
            f"(SELECT {key_list} FROM {stage} GROUP BY {key_list} HAVING count(*) > 1) "
            f"ORDER BY {key_list} LIMIT 1",
            f"its key ({key_list}) appears more than once in the batch",
        )
    ]
    for column in table.columns:
        if column.name in columns and not column.nullable:
            probes.append(
                (
                    f"SELECT {column_list} FROM {stage} WHERE {column.name} IS NULL LIMIT 1",
                    f"{column.name} is NULL (NOT NULL)",
                )
            )
    for constraint in table.constraints:
        if isinstance(constraint, CheckConstraint):
            probes.append(
                (
                    f"SELECT {column_list} FROM {stage} WHERE NOT ({constraint.sqltext}) LIMIT 1",
                    f"it violates check {constraint.name} ({constraint.sqltext})",
                )
            )
        elif isinstance(constraint, ForeignKeyConstraint) and all(
            c.name in columns for c in constraint.columns
        ):
            local = [c.name for c in constraint.columns]
            remote = [e.column.name for e in constraint.elements]
            referred = constraint.referred_table.name
            match = " AND ".join(f"r.{rc} = s.{lc}" for lc, rc in zip(local, remote, strict=True))
            present = " AND ".join(f"s.{lc} IS NOT NULL" for lc in local)
            probes.append(
                (
                    f"SELECT {', '.join('s.' + c for c in columns)} FROM {stage} s "
                    f"WHERE {present} AND NOT EXISTS (SELECT 1 FROM {referred} r WHERE {match}) "
                    "LIMIT 1",
                    f"its {', '.join(local)} does not exist in {referred}",
                )
            )
    for query, reason in probes:
        row = _first(connection, query)
        if row is not None:
            shown = ", ".join(f"{name}={value!r}" for name, value in zip(columns, row, strict=True))
            return f"Offending row ({shown}): {reason}."
    return ""


def _first(connection: Connection, query: str) -> tuple | None:
    row = connection.execute(text(query)).first()
    return None if row is None else tuple(row)
