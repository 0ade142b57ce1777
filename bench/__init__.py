"""Benchmarks (``make bench`` = ``python -m bench``), never run by the tests.

They need PostgreSQL: ``DATABASE_URL`` names a server; a scratch database
``tongban_bench`` is created on it (dropped first if it exists), migrated and loaded
with the demo organisation, calendar and catalogue. The report measures:

a. full case lifecycles per second through the services beside the same lifecycle
   as hand-written SQL of the same shape, for one and two processes;
b. SQL statements per workflow step, for a fresh case and for one with a long
   history;
c. the workbench's data with 100,000 open cases beside 1,000;
d. the supervision sweep with 10,000 and with 1,000,000 open cases of which the same
   1,000 become due (their time ratio), and the cards it issues per second;
e. the supervision dashboard's server time at 1,000,000 open cases;
f. the acceptance report for one month over a history of 100,000 and of 1,000,000
   cases (their time ratio);
g. the whole-year acceptance report at 1,000,000 cases through the project's code
   beside the same aggregation as hand-written SQL (their time ratio).

``python -m bench reports`` (or any of lifecycle, queries, workbench, supervision,
reports) runs only the parts named.

For a quick trial run: ``BENCH_SECONDS`` (per throughput measurement, default 15),
``BENCH_CASES`` (the large workbench, default 100000) and
``BENCH_SUPERVISION_CASES`` (the large sweep, default 1000000) and
``BENCH_REPORT_CASES`` (the large statistics history, default 1000000).
"""
