"""Benchmarks (``make bench`` = ``python -m bench``), never run by the tests.

They need PostgreSQL: ``DATABASE_URL`` names a server; a scratch database
``tongban_bench`` is created on it (dropped first if it exists), migrated and loaded
with the demo organisation, calendar and catalogue. The report measures:

a. full case lifecycles per second through the services beside the same lifecycle
   as hand-written SQL of the same shape, for one and two processes;
b. SQL statements per workflow step, for a fresh case and for one with a long
   history;
c. the workbench's data with 100,000 open cases beside 1,000.

For a quick trial run: ``BENCH_SECONDS`` (per throughput measurement, default 15)
and ``BENCH_CASES`` (the large workbench, default 100000).
"""
