-- 004 down, in reverse order of creation (document_contents references documents).
DROP TABLE document_contents;
DROP TABLE documents;
