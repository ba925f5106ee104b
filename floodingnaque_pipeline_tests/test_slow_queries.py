"""The slow_queries check: figures where pg_stat_statements answers, a reason where not."""

from sqlalchemy import text

from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.db.slow_queries import Statement, markdown, slowest_statements
from floodingnaque_pipeline.defs.maintenance.checks import slow_queries
from floodingnaque_pipeline.resources.database import DatabaseResource


def _preloaded(database: AppDatabase) -> bool:
    with database.engine.connect() as connection:
        libraries = connection.execute(text("SHOW shared_preload_libraries")).scalar_one()
    return "pg_stat_statements" in libraries


def test_check_reports_why_it_has_no_figures_or_lists_them(app_db: AppDatabase) -> None:
    url = app_db.engine.url.render_as_string(hide_password=False)
    result = slow_queries(database=DatabaseResource(database_url=url))
    assert result.metadata["threshold_ms"].value == 500.0
    with app_db.engine.connect() as connection:
        found = slowest_statements(connection)
        # The connection is still usable after a refusal (the probe ran in a savepoint).
        assert connection.execute(text("SELECT 1")).scalar_one() == 1
    if app_db.dialect == "postgresql" and _preloaded(app_db):
        assert not found.unavailable and result.metadata["slowest"].value.startswith("| mean")
    else:  # this machine's server does not preload it; SQLite has no such statistics
        assert found.unavailable and found.statements == []
        assert result.passed and result.metadata["unavailable"].value == found.unavailable


def test_markdown_keeps_one_row_per_statement() -> None:
    long_query = "SELECT a | b\n  FROM weather_data WHERE " + "x = 1 AND " * 40
    table = markdown([Statement(long_query, 3, 812.5, 1500.0, 2437.5, 9)], width=60)
    rows = table.splitlines()
    assert len(rows) == 3 and rows[2].startswith("| 812.5 | 1500.0 | 3 | 9 |")
    assert "\\|" in rows[2] and "\n" not in rows[2] and len(rows[2]) < 120
