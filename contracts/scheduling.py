"""The scheduling service's contract: its RPC requests and replies, list pages and events."""

from __future__ import annotations
