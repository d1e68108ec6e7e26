-- GET /api/balance: the one statement the app runs (src/ledger/postgres.rs, SELECT_ACCOUNT).
SELECT number, user_id, owner, balance, currency FROM accounts WHERE number = 'ACC-001';
