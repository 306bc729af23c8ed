"""The invitations service's tables (schema ``invitations``)."""

from sqlalchemy import MetaData

from casework.tables import add_messaging_tables

metadata = MetaData(schema="invitations")
messaging = add_messaging_tables(metadata)
