-- Accounts taken over from a database the original workshop made (its
-- init.sql: `accounts` with a SERIAL id and an `account_number`). The
-- account number became ours unchanged; its id there is kept here, so
-- nothing of the original's rows is lost. Empty on a database we created.
CREATE TABLE adopted_accounts (
    number      TEXT PRIMARY KEY REFERENCES accounts (number),
    original_id INTEGER NOT NULL UNIQUE,
    adopted_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
