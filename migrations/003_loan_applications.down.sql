-- 003 down. Dropping the table also drops its indexes and grants.
DROP TABLE loan_applications;
