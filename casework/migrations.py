"""Alembic, once for every service: each service keeps its migrations in
``services/<name>/migrations`` and its version table in its own schema."""

from __future__ import annotations

import importlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

import casework  # noqa: F401
from casework.config import settings

SERVICES = ("identity", "records", "invitations", "notifications", "scheduling")
ROOT = Path(__file__).resolve().parent.parent


def alembic_config(service: str, url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "services" / service / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url or settings().database_url_for(service))
    cfg.attributes["service"] = service
    return cfg


def ensure_database(url: str) -> None:
    """Create the database named in ``url`` if it does not exist yet (local and test runs)."""
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                              {"n": target.database}).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def migrate(services=SERVICES, url: str | None = None) -> None:
    for service in services:
        service_url = url or settings().database_url_for(service)
        ensure_database(service_url)
        command.upgrade(alembic_config(service, service_url), "head")


def run_env(context, service: str) -> None:
    """The body of every service's ``migrations/env.py``."""
    metadata = importlib.import_module(f"services.{service}.models").metadata
    schema = metadata.schema
    url = context.config.get_main_option("sqlalchemy.url")
    engine = create_engine(url)
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        conn.commit()
        context.configure(
            connection=conn,
            target_metadata=metadata,
            version_table_schema=schema,
            include_schemas=True,
            include_name=lambda name, type_, parent: (
                name == schema if type_ == "schema" else True
            ),
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
