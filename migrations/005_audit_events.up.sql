-- 005 audit_events: the hash-chained audit trail. Runs in the migrator's
-- transaction, under its advisory lock (see 001). Migration 006 makes it
-- append-only; until then it is an ordinary table.
--
-- One chain per application plus one system chain (application_id IS NULL).
-- prev_event_hash is the hash of the previous event of the same chain, or 64
-- zeros for the first one; the canonical encoding is in docs/audit-chain.md.
-- Events carry ids, roles, states and reasons, never PII values: they can never
-- be erased.
--
-- application_id has no foreign key on purpose: audit events outlive what they
-- describe (removing seed data must not be blocked by, or cascade into, an
-- append-only table), and the system chain has no application at all.

CREATE TABLE audit_events (
  id               bigserial    PRIMARY KEY,
  application_id   uuid,
  event_type       text         NOT NULL
                                CONSTRAINT audit_events_event_type_check CHECK (event_type IN (
                                  'state_transition', 'agent_decision', 'routing_decision', 'human_review',
                                  'document_upload', 'document_access', 'auth_event', 'key_management',
                                  'threshold_change', 'maintenance')),
  actor_id         text         NOT NULL
                                CONSTRAINT audit_events_actor_id_check CHECK (char_length(actor_id) BETWEEN 1 AND 200),
  actor_type       text         NOT NULL
                                CONSTRAINT audit_events_actor_type_check
                                CHECK (actor_type IN ('api_key', 'operator', 'system', 'agent', 'anonymous')),
  -- An application role (not a database role), when the actor has one.
  actor_role       text         CONSTRAINT audit_events_actor_role_check
                                CHECK (actor_role IN ('loan_officer', 'senior_underwriter', 'reviewer')),
  agent_name       text         CONSTRAINT audit_events_agent_name_check CHECK (char_length(agent_name) BETWEEN 1 AND 200),
  confidence_score numeric(4,3) CONSTRAINT audit_events_confidence_score_check
                                CHECK (confidence_score BETWEEN 0 AND 1),
  reasoning        text         CONSTRAINT audit_events_reasoning_check CHECK (char_length(reasoning) BETWEEN 1 AND 10000),
  -- HMAC-SHA256 under HMAC_SECRET_KEY, never a plain hash of PII-bearing input.
  input_data_hash  char(64)     CONSTRAINT audit_events_input_data_hash_check CHECK (input_data_hash ~ '^[0-9a-f]{64}$'),
  -- Application statuses (the lifecycle of 003), when the event changes one.
  previous_state   text         CONSTRAINT audit_events_previous_state_check CHECK (previous_state IN (
                                  'draft', 'submitted', 'processing', 'awaiting_review',
                                  'approved', 'denied', 'withdrawn', 'processing_error')),
  new_state        text         CONSTRAINT audit_events_new_state_check CHECK (new_state IN (
                                  'draft', 'submitted', 'processing', 'awaiting_review',
                                  'approved', 'denied', 'withdrawn', 'processing_error')),
  metadata         jsonb        NOT NULL DEFAULT '{}'
                                CONSTRAINT audit_events_metadata_check CHECK (jsonb_typeof(metadata) = 'object'),
  prev_event_hash  char(64)     NOT NULL
                                CONSTRAINT audit_events_prev_event_hash_check CHECK (prev_event_hash ~ '^[0-9a-f]{64}$'),
  -- clock_timestamp(), not now(): the two events of one submission must not
  -- share a timestamp. From 006 on, a trigger sets it whatever the writer sends.
  created_at       timestamptz  NOT NULL DEFAULT clock_timestamp()
);

COMMENT ON TABLE audit_events IS 'Append-only, hash-chained audit trail (one chain per application, application_id NULL = system chain). Never PII.';

-- Chain walks and chain heads (ORDER BY id within one application), the
-- per-application trail filtered by type and time, and the system chain.
CREATE INDEX audit_events_application_id_id_idx ON audit_events (application_id, id);
CREATE INDEX audit_events_application_id_event_type_created_at_idx ON audit_events (application_id, event_type, created_at);
CREATE INDEX audit_events_system_chain_idx ON audit_events (id) WHERE application_id IS NULL;

-- The runtime role may read the trail and nothing more: no INSERT, UPDATE,
-- DELETE or TRUNCATE. It writes only through audit_writer (006). SELECT on the
-- sequence lets it read currval() after its audited INSERT, to learn the new
-- event's id (INSERT ... RETURNING would need SELECT on audit_events, which
-- audit_writer deliberately lacks); SELECT does not allow nextval or setval.
DO $$
DECLARE
  app_role constant text := current_setting('loan_ledger.app_role');
BEGIN
  EXECUTE format('GRANT SELECT ON TABLE audit_events TO %I', app_role);
  EXECUTE format('GRANT SELECT ON SEQUENCE audit_events_id_seq TO %I', app_role);
END
$$;
