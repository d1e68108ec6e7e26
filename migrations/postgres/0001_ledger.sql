-- Accounts and transfers. Money is NUMERIC(14,2): exact, never float.
CREATE TABLE accounts (
    number     TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    owner      TEXT NOT NULL,
    currency   TEXT NOT NULL DEFAULT 'USD',
    balance    NUMERIC(14, 2) NOT NULL CHECK (balance >= 0),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE transfers (
    id              BIGSERIAL PRIMARY KEY,
    transaction_id  TEXT NOT NULL UNIQUE,
    from_account    TEXT NOT NULL REFERENCES accounts (number),
    to_account      TEXT NOT NULL REFERENCES accounts (number),
    amount          NUMERIC(14, 2) NOT NULL CHECK (amount > 0),
    idempotency_key TEXT UNIQUE,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (from_account <> to_account)
);

INSERT INTO accounts (number, user_id, owner, balance) VALUES
    ('ACC-001', 1, 'Alice Morgan', 10000.00),
    ('ACC-002', 2, 'Bruno Costa', 5000.00),
    ('ACC-003', 3, 'Chen Wei', 5000.00),
    ('ACC-004', 4, 'Dana Petrova', 5000.00),
    ('ACC-005', 5, 'Emeka Obi', 5000.00),
    ('ACC-006', 6, 'Fatima Haddad', 5000.00),
    ('ACC-007', 7, 'Gustav Lind', 5000.00),
    ('ACC-008', 8, 'Hana Sato', 5000.00),
    ('ACC-009', 9, 'Ivan Sokolov', 5000.00),
    ('ACC-010', 10, 'Julia Romero', 5000.00);

-- The failure-injection state every replica shares (one row).
CREATE TABLE fault_state (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    config           TEXT NOT NULL,
    generation       BIGINT NOT NULL,
    reset_generation BIGINT NOT NULL,
    expires_at       TIMESTAMPTZ,
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

INSERT INTO fault_state (id, config, generation, reset_generation)
VALUES (1, '{}', 0, 0);
