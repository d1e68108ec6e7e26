-- POST /api/transfer without an Idempotency-Key: the same server-side call
-- the app makes (src/ledger/postgres.rs, migration 0002 `ledger_transfer`),
-- with a random pair of distinct accounts among ACC-001..ACC-010, 0.01 moved.
\set a random(1, 10)
\set d random(1, 9)
\set b ((:a + :d - 1) % 10) + 1
SELECT kind, transaction_id, from_account, to_account, amount, created_at, from_balance, to_exists FROM ledger_transfer('ACC-' || lpad(:a::text, 3, '0'), 'ACC-' || lpad(:b::text, 3, '0'), 0.01, NULL, 'TXN-' || md5(random()::text));
