-- Mana value up to 9,999,999,999.99: Gleemax's 1,000,000 is a real card and must load.
ALTER TABLE card_catalog.oracle_cards ALTER COLUMN cmc TYPE NUMERIC(12, 2);
