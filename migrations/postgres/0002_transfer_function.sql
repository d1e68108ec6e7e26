-- A transfer as one server-side call, so its row locks are held only inside
-- the database and never across network round trips. Each statement of a
-- PL/pgSQL function in READ COMMITTED takes a fresh snapshot, so the balance
-- read after the locks is the newest committed one: no lost update.
CREATE FUNCTION ledger_transfer(
    p_from TEXT, p_to TEXT, p_amount NUMERIC, p_key TEXT, p_id TEXT
) RETURNS TABLE (
    kind TEXT, transaction_id TEXT, from_account TEXT, to_account TEXT,
    amount NUMERIC, created_at TIMESTAMPTZ, from_balance NUMERIC, to_exists BOOLEAN
) LANGUAGE plpgsql AS $$
DECLARE
    v_from NUMERIC;
    v_to_exists BOOLEAN;
BEGIN
    -- An earlier transfer with this key is the answer.
    IF p_key IS NOT NULL THEN
        RETURN QUERY
            SELECT 'prior'::TEXT, t.transaction_id, t.from_account, t.to_account,
                   t.amount, t.created_at, NULL::NUMERIC, NULL::BOOLEAN
            FROM transfers t WHERE t.idempotency_key = p_key;
        IF FOUND THEN
            RETURN;
        END IF;
    END IF;

    -- Both rows, locked in account-number order: no deadlock.
    PERFORM 1 FROM accounts a WHERE a.number IN (p_from, p_to) ORDER BY a.number FOR UPDATE;
    SELECT a.balance INTO v_from FROM accounts a WHERE a.number = p_from;
    SELECT EXISTS (SELECT 1 FROM accounts a WHERE a.number = p_to) INTO v_to_exists;
    IF v_from IS NULL OR NOT v_to_exists OR v_from < p_amount THEN
        RETURN QUERY SELECT 'refused'::TEXT, NULL::TEXT, NULL::TEXT, NULL::TEXT,
                            NULL::NUMERIC, NULL::TIMESTAMPTZ, v_from, v_to_exists;
        RETURN;
    END IF;

    UPDATE accounts a
    SET balance = a.balance + CASE WHEN a.number = p_from THEN -p_amount ELSE p_amount END
    WHERE a.number IN (p_from, p_to);

    -- A concurrent request with the same key that committed first makes this
    -- INSERT fail on the UNIQUE key, which undoes the whole call.
    RETURN QUERY
        INSERT INTO transfers AS t (transaction_id, from_account, to_account, amount, idempotency_key)
        VALUES (p_id, p_from, p_to, p_amount, p_key)
        RETURNING 'done'::TEXT, t.transaction_id, t.from_account, t.to_account,
                  t.amount, t.created_at, NULL::NUMERIC, NULL::BOOLEAN;
END;
$$;
