from alembic import context

from casework.migrations import run_env

run_env(context, "invitations")
