-- 008 schema workflow and workflow.checkpoints. Runs in the migrator's
-- transaction, under its advisory lock (see 001).
--
-- In this phase the ProcessingQueue adapter records each hand-over of an
-- application to processing (a submission or a retry) as a checkpoint; the
-- agent pipeline that will consume them plugs in later. A separate schema keeps
-- the pipeline's own tables apart from the business tables.

CREATE SCHEMA workflow;

COMMENT ON SCHEMA workflow IS 'Processing pipeline state (checkpoints).';

CREATE TABLE workflow.checkpoints (
  id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  application_id uuid        NOT NULL REFERENCES public.loan_applications (id),
  reason         text        NOT NULL CONSTRAINT checkpoints_reason_check CHECK (reason IN ('submitted', 'retry')),
  -- The actor that asked: an API key id or an operator's name.
  requested_by   text        NOT NULL
                             CONSTRAINT checkpoints_requested_by_check CHECK (char_length(requested_by) BETWEEN 1 AND 200),
  requested_at   timestamptz NOT NULL DEFAULT now(),
  -- The pipeline's own progress, once there is a pipeline.
  state          jsonb       NOT NULL DEFAULT '{}'
                             CONSTRAINT checkpoints_state_check CHECK (jsonb_typeof(state) = 'object')
);

COMMENT ON TABLE workflow.checkpoints IS 'Hand-overs of an application to processing (submit or retry).';

CREATE INDEX checkpoints_application_id_requested_at_idx ON workflow.checkpoints (application_id, requested_at);

DO $$
DECLARE
  app_role constant text := current_setting('loan_ledger.app_role');
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA workflow TO %I', app_role);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE ON TABLE workflow.checkpoints TO %I', app_role);
END
$$;
