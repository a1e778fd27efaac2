"""Loading Scryfall card and set objects into the catalog, one job per module:

card_schema (the card object as msgspec structs) -> bulk_file (streamed reading) -> batches
(normalising a batch, collecting rejects) -> normalize (one card or set into rows) -> writer
(COPY/upsert of a batch, refused cards isolated) -> bulk_load (reader and concurrent writers) with
process_tuning applied around a bulk load only. The registry keys are in catalog_load_service.py.
"""
