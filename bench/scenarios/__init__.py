"""One scenario per module, ``<id>_<name>.py``, each with ``ID``, ``TITLE``, ``IN_ALL`` (whether
`python -m bench` without arguments runs it) and ``run(ctx) -> Report``. The harness discovers
them; adding a benchmark is adding a file here."""
