"""Demo data for ``tongban demo`` and ``tongban load_demo``: the Tianshui organisation,
accounts for every role, and the working-day calendar (see ``docs/demo.md``)."""
