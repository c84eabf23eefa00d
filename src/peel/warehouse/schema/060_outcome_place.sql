-- peel warehouse: where an outcome's crime happened, as the outcomes file gives it.
-- police.uk publishes outcomes of crimes recorded before the first street file loaded; with
-- no crime row to give their type or area, the outcome's own LSOA places them, so that they
-- count in the solve rates of all crime for the force, its districts and neighbourhoods.
ALTER TABLE outcome ADD COLUMN IF NOT EXISTS lsoa_code VARCHAR;
