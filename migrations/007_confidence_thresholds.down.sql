-- 007 down.
DROP TABLE confidence_thresholds;
