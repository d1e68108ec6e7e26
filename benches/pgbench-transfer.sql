-- POST /api/transfer without an Idempotency-Key: the transaction the app runs
-- (src/ledger/postgres.rs, try_transfer), one round trip per statement, with a
-- random pair of distinct accounts among ACC-001..ACC-010 and 0.01 moved.
\set a random(1, 10)
\set d random(1, 9)
\set b ((:a + :d - 1) % 10) + 1
BEGIN;
SELECT number, balance FROM accounts WHERE number = ANY(ARRAY['ACC-' || lpad(:a::text, 3, '0'), 'ACC-' || lpad(:b::text, 3, '0')]) ORDER BY number FOR UPDATE;
UPDATE accounts SET balance = balance - 0.01 WHERE number = 'ACC-' || lpad(:a::text, 3, '0');
UPDATE accounts SET balance = balance + 0.01 WHERE number = 'ACC-' || lpad(:b::text, 3, '0');
INSERT INTO transfers (transaction_id, from_account, to_account, amount, idempotency_key) VALUES ('TXN-' || md5(random()::text), 'ACC-' || lpad(:a::text, 3, '0'), 'ACC-' || lpad(:b::text, 3, '0'), 0.01, NULL) RETURNING transaction_id, from_account, to_account, amount, created_at;
COMMIT;
