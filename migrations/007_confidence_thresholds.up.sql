-- 007 confidence_thresholds: the two thresholds that route an agent's
-- decision. Runs in the migrator's transaction, under its advisory lock (see 001).
--
-- A decision at or above auto_approve_min may be approved automatically; one
-- below escalate_below goes to a human. The set of thresholds is closed (the
-- CHECK on name); a change is an UPDATE, recorded as a threshold_change audit
-- event by the code that makes it.

CREATE TABLE confidence_thresholds (
  name       text         PRIMARY KEY
                          CONSTRAINT confidence_thresholds_name_check
                          CHECK (name IN ('auto_approve_min', 'escalate_below')),
  value      numeric(4,3) NOT NULL
                          CONSTRAINT confidence_thresholds_value_check CHECK (value BETWEEN 0 AND 1),
  updated_at timestamptz  NOT NULL DEFAULT now()
);

COMMENT ON TABLE confidence_thresholds IS 'Routing thresholds for agent confidence scores; changes are audited as threshold_change events.';

INSERT INTO confidence_thresholds (name, value) VALUES
  ('auto_approve_min', 0.850),
  ('escalate_below', 0.600);

-- The runtime role reads and changes thresholds; the set of rows is fixed, so
-- no INSERT (and no DELETE).
DO $$
BEGIN
  EXECUTE format('GRANT SELECT, UPDATE ON TABLE confidence_thresholds TO %I', current_setting('loan_ledger.app_role'));
END
$$;
