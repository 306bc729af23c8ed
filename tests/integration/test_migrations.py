"""Migrations define the schema: a migrated database must match every service's models exactly
(STYLE: "fail when Alembic autogenerate finds a difference from the models")."""

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from casework.migrations import SERVICES


@pytest.mark.parametrize("service", SERVICES)
def test_migrated_schema_matches_the_models(service, engine):
    metadata = importlib.import_module(f"services.{service}.models").metadata
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "include_schemas": True,
            "version_table_schema": metadata.schema,
            "include_name": lambda name, type_, parent: (
                name == metadata.schema if type_ == "schema" else True),
        })
        differences = compare_metadata(context, metadata)
    assert differences == []


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_keeps_its_tables_in_its_own_schema(service):
    metadata = importlib.import_module(f"services.{service}.models").metadata
    assert metadata.schema == service
    assert {table.schema for table in metadata.tables.values()} == {service}
    assert {"outbox", "inbox", "dead_letters"} <= {t.name for t in metadata.tables.values()}


def test_no_index_expression_calls_a_plain_sql_function(engine):
    """PostgreSQL does not inline a SQL function with a set or an aggregate in it, and an index
    expression then plans it again for every row written: as SQL functions, records' name word
    array and phone keys made 5,000 inserts take 56 s instead of 3 s. Functions of index
    expressions are PL/pgSQL (their plans kept for the session)."""
    from sqlalchemy import text

    with engine.connect() as conn:
        rows = conn.execute(text("""
            SELECT DISTINCT i.indexrelid::regclass::text AS index, p.oid::regprocedure::text AS fn,
                   l.lanname
              FROM pg_index i
              JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid
                              AND d.refclassid = 'pg_proc'::regclass
              JOIN pg_proc p ON p.oid = d.refobjid
              JOIN pg_language l ON l.oid = p.prolang
              JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = ANY(:schemas)""").bindparams(schemas=list(SERVICES))).all()
    used = {(index, fn): language for index, fn, language in rows}
    assert ("records.ix_records_name_word_array", "records.name_word_array(text)") in used
    assert [key for key, language in used.items() if language == "sql"] == []
