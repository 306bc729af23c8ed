"""The identity service's tables (schema ``identity``)."""

from sqlalchemy import MetaData

from casework.tables import add_messaging_tables

metadata = MetaData(schema="identity")
messaging = add_messaging_tables(metadata)
