-- 004 documents and document_contents. Runs in the migrator's transaction,
-- under its advisory lock (see 001).
--
-- Metadata and content live in separate tables so that listing documents never
-- reads the (large) ciphertext. Document contents are PII: content_encrypted is
-- one key-id byte followed by the Fernet token text of the file. A 20 MiB file
-- becomes about 27 MiB of token (base64 of the padded ciphertext), well below
-- PostgreSQL's 1 GB limit for one value.
--
-- content_hmac is HMAC-SHA256 of the plaintext under HMAC_SECRET_KEY, never a
-- plain SHA-256: a plain hash of PII-bearing content is a fingerprint that
-- anyone holding a copy of the file can confirm.

CREATE TABLE documents (
  id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  application_id uuid        NOT NULL REFERENCES loan_applications (id),
  filename       text        NOT NULL
                             CONSTRAINT documents_filename_check CHECK (char_length(filename) BETWEEN 1 AND 255),
  content_type   text        NOT NULL
                             CONSTRAINT documents_content_type_check
                             CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png', 'image/tiff')),
  size_bytes     bigint      NOT NULL CONSTRAINT documents_size_bytes_check CHECK (size_bytes > 0),
  content_hmac   char(64)    NOT NULL
                             CONSTRAINT documents_content_hmac_check CHECK (content_hmac ~ '^[0-9a-f]{64}$'),
  uploaded_by    uuid        NOT NULL REFERENCES api_keys (id),
  created_at     timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE documents IS 'Uploaded document metadata; the encrypted content is in document_contents.';

CREATE INDEX documents_application_id_created_at_id_idx ON documents (application_id, created_at, id);
CREATE INDEX documents_uploaded_by_idx ON documents (uploaded_by);

CREATE TABLE document_contents (
  document_id       uuid  PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
  content_encrypted bytea NOT NULL
                          CONSTRAINT document_contents_content_encrypted_check
                          CHECK (octet_length(content_encrypted) > 1)
);

COMMENT ON TABLE document_contents IS 'Document contents: a key-id byte plus the Fernet token of the file.';

-- Ciphertext does not compress: store it out of line without trying.
ALTER TABLE document_contents ALTER COLUMN content_encrypted SET STORAGE EXTERNAL;

-- The runtime role stores documents and reads them back; UPDATE on the
-- contents lets a key rotation re-encrypt them. It never deletes either.
DO $$
DECLARE
  app_role constant text := current_setting('loan_ledger.app_role');
BEGIN
  EXECUTE format('GRANT SELECT, INSERT, UPDATE ON TABLE documents TO %I', app_role);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE ON TABLE document_contents TO %I', app_role);
END
$$;
