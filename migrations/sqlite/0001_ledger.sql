-- Accounts and transfers. SQLite has no exact decimal type, so money is
-- stored as integer cents: exact, never float.
CREATE TABLE accounts (
    number        TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL,
    owner         TEXT NOT NULL,
    currency      TEXT NOT NULL DEFAULT 'USD',
    balance_cents INTEGER NOT NULL CHECK (balance_cents >= 0),
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE transfers (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    transaction_id  TEXT NOT NULL UNIQUE,
    from_account    TEXT NOT NULL REFERENCES accounts (number),
    to_account      TEXT NOT NULL REFERENCES accounts (number),
    amount_cents    INTEGER NOT NULL CHECK (amount_cents > 0),
    idempotency_key TEXT UNIQUE,
    created_at      TEXT NOT NULL,
    CHECK (from_account <> to_account)
);

INSERT INTO accounts (number, user_id, owner, balance_cents) VALUES
    ('ACC-001', 1, 'Alice Morgan', 1000000),
    ('ACC-002', 2, 'Bruno Costa', 500000),
    ('ACC-003', 3, 'Chen Wei', 500000),
    ('ACC-004', 4, 'Dana Petrova', 500000),
    ('ACC-005', 5, 'Emeka Obi', 500000),
    ('ACC-006', 6, 'Fatima Haddad', 500000),
    ('ACC-007', 7, 'Gustav Lind', 500000),
    ('ACC-008', 8, 'Hana Sato', 500000),
    ('ACC-009', 9, 'Ivan Sokolov', 500000),
    ('ACC-010', 10, 'Julia Romero', 500000);
