"""Issue 21 item 5: a database setting that cannot work says what was typed and what to do."""

from __future__ import annotations

import pytest

from floodingnaque_pipeline.db.engine import DatabaseError
from floodingnaque_pipeline.db.session import AppDatabase

SECRET = "S3cr3t-Pa55"


def failure(url: str) -> str:
    with pytest.raises(DatabaseError) as raised:
        AppDatabase(url).ping()
    return str(raised.value)


def test_a_file_name_instead_of_a_url_names_the_forms_and_the_likely_fix() -> None:
    message = failure("floodingnaque.db")
    assert "'floodingnaque.db' is not a database URL" in message
    assert "postgresql://<user>:<password>@<host>:5432/<database>" in message
    assert "did you mean sqlite:///floodingnaque.db?" in message


def test_an_unparsable_url_is_shown_with_its_password_masked() -> None:
    message = failure(f"postgresql://floodingnaque:{SECRET}@127.0.0.1:5432:99/x")
    assert SECRET not in message
    assert "postgresql://floodingnaque:***@127.0.0.1:5432:99/x" in message


def test_a_missing_postgres_database_gets_the_createdb_command() -> None:
    message = failure("postgresql://postgres@127.0.0.1:5432/floodingnaque_no_such_db")
    assert 'database "floodingnaque_no_such_db" does not exist' in message
    assert "createdb -h 127.0.0.1 -p 5432 -U postgres floodingnaque_no_such_db" in message


def test_a_server_that_is_not_there_gets_pg_isready() -> None:
    message = failure(f"postgresql://postgres:{SECRET}@127.0.0.1:1/floodingnaque")
    assert "pg_isready -h 127.0.0.1 -p 1" in message
    assert SECRET not in message


def test_a_sqlite_file_in_a_missing_folder_names_the_folder(tmp_path) -> None:
    missing = tmp_path / "no_such_folder"
    message = failure(f"sqlite:///{missing}/floodingnaque.db")
    assert f"the folder {missing} must exist" in message


def test_a_working_database_raises_nothing(tmp_path) -> None:
    AppDatabase(f"sqlite:///{tmp_path}/floodingnaque.db").ping()
