"""Throwaway PostgreSQL databases on the machine's server, for tests and benches alike."""

from __future__ import annotations

import uuid

import psycopg2

PG_ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
PG_URL_TEMPLATE = "postgresql://postgres@127.0.0.1:5432/{name}"


def pg_admin(sql: str) -> None:
    try:
        connection = psycopg2.connect(PG_ADMIN_DSN, connect_timeout=5)
    except psycopg2.OperationalError as error:  # a missing service is a failure, not a skip
        raise RuntimeError(f"PostgreSQL is not answering on 127.0.0.1:5432: {error}") from None
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


def create_pg_database() -> str:
    name = f"fq_test_{uuid.uuid4().hex[:12]}"
    pg_admin(f"CREATE DATABASE {name}")
    return name


def drop_pg_database(name: str) -> None:
    pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def query(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows of one statement on its own short-lived connection."""
    connection = psycopg2.connect(url, connect_timeout=10)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    finally:
        connection.close()
