"""The notifications service's tables (schema ``notifications``)."""

from sqlalchemy import MetaData

from casework.tables import add_messaging_tables

metadata = MetaData(schema="notifications")
messaging = add_messaging_tables(metadata)
