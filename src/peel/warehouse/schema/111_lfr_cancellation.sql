-- peel warehouse, live facial recognition: why a confirmed deployment was cancelled, and by
-- whom (lfr_deployment.cancelled_at says when). A cancelled deployment stays on the public
-- register and its feeds, marked cancelled, and counts in no figure. (110_lfr.sql, once
-- applied, stays as it is: these columns are added here.)
ALTER TABLE lfr_deployment ADD COLUMN IF NOT EXISTS cancel_reason VARCHAR;
ALTER TABLE lfr_deployment ADD COLUMN IF NOT EXISTS cancelled_by VARCHAR;
