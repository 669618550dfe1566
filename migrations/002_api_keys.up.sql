-- 002 api_keys: who may call the system. Runs in the migrator's transaction,
-- under its advisory lock (see 001 for both).
--
-- A key is stored only as HMAC-SHA256(HMAC_SECRET_KEY, plaintext) in lower-case
-- hex; the plaintext is shown once and never stored. `role` holds an
-- application role, which has nothing to do with database roles.

CREATE TABLE api_keys (
  id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  key_hash    text        NOT NULL UNIQUE
                          CONSTRAINT api_keys_key_hash_check CHECK (key_hash ~ '^[0-9a-f]{64}$'),
  role        text        NOT NULL
                          CONSTRAINT api_keys_role_check
                          CHECK (role IN ('loan_officer', 'senior_underwriter', 'reviewer')),
  description text        CONSTRAINT api_keys_description_check CHECK (char_length(description) <= 500),
  expires_at  timestamptz,
  is_active   boolean     NOT NULL DEFAULT true,
  -- Seed keys exist only in development; production refuses to start while one is active.
  is_seed     boolean     NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE api_keys IS 'API keys; key_hash is HMAC-SHA256 hex, the plaintext is never stored. role is an application role, not a database role.';

-- The runtime role reads keys, creates them and revokes them (is_active = false);
-- it never deletes one.
DO $$
BEGIN
  EXECUTE format('GRANT SELECT, INSERT, UPDATE ON TABLE api_keys TO %I', current_setting('loan_ledger.app_role'));
END
$$;
