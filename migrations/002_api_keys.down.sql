-- 002 down. Dropping the table also removes the grants made on it.
DROP TABLE api_keys;
