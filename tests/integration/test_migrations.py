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
