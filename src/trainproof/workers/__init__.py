"""Background workers on PostgreSQL: one sync job per KnowBe4 account, shared by any number of workers.

procrastinate keeps the queue in the store's own PostgreSQL database (no Redis, no broker to run), and
gives what many accounts need: a per-account `lock` (never two syncs of one account at once), a
`queueing_lock` (no duplicate waiting job), retries with backoff, periodic tasks (the nightly fan-out,
the recovery of jobs a killed worker left `doing`) and workers on as many machines as wanted.

It is an optional extra (`pip install 'trainproof[workers]'`): nothing here is imported unless a worker
command runs, so SQLite users never need it.

- `queue.py`: the procrastinate App, its tasks and their retry rule;
- `deferring.py`: one job per account, as `trainproof enqueue` and the nightly task defer them;
- `setup.py`: loading procrastinate, the queue's connection string, its schema.
"""
