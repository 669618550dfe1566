-- 003 loan_applications. Runs in the migrator's transaction, under its advisory
-- lock (see 001).
--
-- Money is exact: BIGINT cents, never a float. interest_rate is a percentage
-- ("6.875" means 6.875 %) as NUMERIC(8,6). PII is stored only as ciphertext:
-- each *_encrypted value is one key-id byte followed by the Fernet token text
-- (the Phase-1 storage format), so the database alone never reveals it;
-- ssn_last4 is kept in clear for the ***-**-NNNN display.

CREATE TABLE loan_applications (
  id                        uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
  status                    text         NOT NULL DEFAULT 'draft'
                                         CONSTRAINT loan_applications_status_check CHECK (status IN (
                                           'draft', 'submitted', 'processing', 'awaiting_review',
                                           'approved', 'denied', 'withdrawn', 'processing_error')),
  borrower_name             text         NOT NULL
                                         CONSTRAINT loan_applications_borrower_name_check
                                         CHECK (char_length(borrower_name) BETWEEN 1 AND 500),
  ssn_encrypted             bytea        NOT NULL
                                         CONSTRAINT loan_applications_ssn_encrypted_check
                                         CHECK (octet_length(ssn_encrypted) > 1),
  ssn_last4                 char(4)      NOT NULL
                                         CONSTRAINT loan_applications_ssn_last4_check CHECK (ssn_last4 ~ '^[0-9]{4}$'),
  account_numbers_encrypted bytea        CONSTRAINT loan_applications_account_numbers_encrypted_check
                                         CHECK (octet_length(account_numbers_encrypted) > 1),
  government_id_encrypted   bytea        CONSTRAINT loan_applications_government_id_encrypted_check
                                         CHECK (octet_length(government_id_encrypted) > 1),
  loan_amount_cents         bigint       NOT NULL
                                         CONSTRAINT loan_applications_loan_amount_cents_check CHECK (loan_amount_cents > 0),
  property_value_cents      bigint       NOT NULL
                                         CONSTRAINT loan_applications_property_value_cents_check CHECK (property_value_cents > 0),
  annual_income_cents       bigint       NOT NULL
                                         CONSTRAINT loan_applications_annual_income_cents_check CHECK (annual_income_cents >= 0),
  monthly_debts_cents       bigint       NOT NULL
                                         CONSTRAINT loan_applications_monthly_debts_cents_check CHECK (monthly_debts_cents >= 0),
  interest_rate             numeric(8,6) NOT NULL
                                         CONSTRAINT loan_applications_interest_rate_check
                                         CHECK (interest_rate >= 0 AND interest_rate < 100),
  loan_term_months          integer      NOT NULL
                                         CONSTRAINT loan_applications_loan_term_months_check
                                         CHECK (loan_term_months BETWEEN 1 AND 600),
  property_address          jsonb        NOT NULL
                                         CONSTRAINT loan_applications_property_address_check
                                         CHECK (jsonb_typeof(property_address) = 'object'
                                                AND property_address ?& ARRAY['street', 'city', 'state', 'zip']),
  created_by                uuid         NOT NULL REFERENCES api_keys (id),
  created_at                timestamptz  NOT NULL DEFAULT now(),
  updated_at                timestamptz  NOT NULL DEFAULT now(),
  CONSTRAINT loan_applications_updated_after_created CHECK (updated_at >= created_at)
);

COMMENT ON TABLE loan_applications IS 'Mortgage applications; *_encrypted columns hold a key-id byte plus a Fernet token, never plaintext.';

-- Listing pages by the opaque cursor (created_at DESC, id DESC), optionally
-- filtered by status, and a loan officer's own applications (which also serves
-- the foreign key to api_keys).
CREATE INDEX loan_applications_created_at_id_idx ON loan_applications (created_at DESC, id DESC);
CREATE INDEX loan_applications_status_created_at_id_idx ON loan_applications (status, created_at DESC, id DESC);
CREATE INDEX loan_applications_created_by_created_at_id_idx ON loan_applications (created_by, created_at DESC, id DESC);

-- The runtime role creates and updates applications; nothing deletes one at run
-- time (seed removal runs as the owner).
DO $$
BEGIN
  EXECUTE format('GRANT SELECT, INSERT, UPDATE ON TABLE loan_applications TO %I', current_setting('loan_ledger.app_role'));
END
$$;
